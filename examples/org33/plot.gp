# Seed 003's Figs. 7 and 8 from watt-org's hourly flows: for each scenario,
# end-users -> aggregators per region (by (6) the same as aggregator ->
# DisCo), DisCo -> end-users, and market -> DisCo, in kWh per hour. Positive
# is the direction named; negative the other way.
#   gnuplot -e "dir='out'; regions=3" plot.gp
set terminal pngcairo size 1200,500 font ",10" noenhanced
set datafile separator ","
set key outside right
set xlabel "hour"
set ylabel "kWh"
set grid
set xrange [1:24]
do for [c in "case1 case2"] {
  set output sprintf("%s/flows_%s.png", dir, c)
  set multiplot layout 1,2 title (c eq "case1" ? "Case 1: end-users alone (Fig. 7)" : "Case 2: the iterative algorithm (Fig. 8)")
  do for [s in "S1 S2"] {
    f = sprintf("%s/flows_%s_%s.csv", dir, s, c)
    set title s
    plot for [i=2:regions+1] f using 1:i with linespoints title columnheader(i), \
         f using 1:(column(regions+2)) with linespoints lw 2 title "DisCo -> end-users", \
         f using 1:(column(2*regions+3)) with linespoints lw 2 dt 2 title "market -> DisCo"
  }
  unset multiplot
}
