# What both 16-node experiments (examples/ed16, examples/ed16-serial) do at
# the end: wait for the monitor's result, print it beside the centralized
# solution and the thesis's table, plot the trace. Sourced, with $bin, $out,
# $run_file, $WATT_HOME and $monitor_id set.
ed16_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Waits up to 60 s for result.json; on failure shows the monitor's log.
wait_for_result() {
  for _ in $(seq 600); do
    [ -f "$out/result.json" ] && return 0
    sleep 0.1
  done
  echo "no result within 60 s; the monitor's log:" >&2
  tail -n 20 "$WATT_HOME/logs/$monitor_id.log" >&2
  return 1
}

# Prints the table and the files; returns non-zero unless the run converged.
report() {
  local status=0
  echo
  "$bin/watt-ed" table "$out/result.json" --run "$run_file" --reference "$ed16_dir/thesis_table1.yml" || status=$?
  if command -v gnuplot >/dev/null; then
    gnuplot -e "trace='$out/trace.csv'; out='$out/ed16.png'" "$ed16_dir/plot.gp"
    echo "plot:   $out/ed16.png"
  fi
  echo "trace:  $out/trace.csv"
  echo "result: $out/result.json"
  return $status
}
