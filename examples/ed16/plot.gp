# λ of every node and the power mismatch against iteration, from the trace
# the monitor writes (columns: epoch, k, iteration, mismatch_kw, lambda_<node>…).
# gnuplot -e "trace='trace.csv'; out='ed16.png'" plot.gp
set datafile separator ','
set terminal pngcairo size 1000,700 noenhanced
set output out
set key autotitle columnhead outside right
# Both panels share one x extent, whatever the key beside the first takes.
set lmargin at screen 0.08
set rmargin at screen 0.70
set multiplot layout 2,1 title 'Consensus economic dispatch'
set xlabel 'iteration'
set ylabel 'lambda ($/kWh)'
stats trace skip 1 nooutput
columns = STATS_columns
plot for [c=5:columns] trace using 3:c with lines
set ylabel 'generation - load (kW)'
unset key
plot trace using 3:4 with linespoints pt 7 ps 0.5 lc rgb '#c03030'
unset multiplot
