# The microgrids' day (examples/microgrids/run.sh): the day-ahead and
# real-time prices; each operator's contract against what it drew; and
# what it would have drawn on its own.  gnuplot -e "dir='out'" plot.gp
set terminal pngcairo size 1400,1000 font ",10"
set output dir."/microgrids.png"
set datafile missing "nan"
set multiplot layout 3,2 title "Seed 001: four microgrids trading through one day"
set xrange [0:24]
set xtics 3
set xlabel "hour"
set key top left
set ylabel "cents per kWh"
set title "Market prices"
plot dir."/series.csv" using 2:3 with steps lw 2 title "day-ahead", \
     "" using 2:4 with points pt 7 ps 0.6 title "real-time"
set ylabel "kWh per half hour"
names = "business-park campus depot residential"  # as series.csv has them
do for [i=1:4] {
  set title word(names, i)
  plot dir."/series.csv" using 2:(column(4 + 3*(i-1) + 1)) with steps lw 2 title "contract", \
       "" using 2:(column(4 + 3*(i-1) + 2)) with steps title "drawn", \
       "" using 2:(column(4 + 3*(i-1) + 3)) with steps dt 2 title "on its own"
}
unset multiplot
