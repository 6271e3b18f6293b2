# The hub's 48 hours, as seed 004's Figs. 4-9 show them: temperatures with
# their bands, appliance power, PV and the battery's state of charge, and
# what came from the grid with and without the plan.
#   gnuplot -e "dir='examples/energy-hub/out'" examples/energy-hub/plot.gp
set terminal pngcairo size 1200,1400 font ",10"
set output dir."/hub.png"
set datafile commentschars "#"
set multiplot layout 5,1 title "Seed 004's energy hub: 48 hours re-planned every half hour"
set xlabel "hour"
set grid
# Columns: 1 step, 2 hour, 3 import, 4 fridge.temperature, 5 fridge.power,
# 6 room.temperature, 7 room.power, 8 water_heater.temperature,
# 9 water_heater.power, 10 washing_machine.power, 11 battery.energy,
# 12 battery.power, 13 pv.power, 14 baseline.import
set ylabel "C"
plot dir."/series.csv" u 2:4 w l lw 2 t "fridge", 3 w l dt 2 lc 1 t "fridge band", 8 w l dt 2 lc 1 notitle
plot dir."/series.csv" u 2:6 w l lw 2 t "room", 16 w l dt 2 lc 2 t "room band", 24 w l dt 2 lc 2 notitle
plot dir."/series.csv" u 2:8 w l lw 2 t "water heater", 70 w l dt 2 lc 3 t "band", 76 w l dt 2 lc 3 notitle
set ylabel "kW"
plot dir."/series.csv" u 2:5 w steps t "fridge", "" u 2:7 w steps t "AC / heater", "" u 2:9 w steps t "water heater", \
     "" u 2:10 w steps t "washing machine", "" u 2:(-$13) w steps lw 2 t "PV used", "" u 2:12 w steps t "battery"
set y2label "kWh"
set y2tics
plot dir."/series.csv" u 2:3 w steps lw 2 t "grid, planned", "" u 2:14 w steps t "grid, thermostats", \
     4 w l dt 2 t "peak limit", "" u 2:11 axes x1y2 w l t "battery energy"
unset multiplot
