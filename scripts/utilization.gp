# utilization.gp - cluster utilization over time, from timeseries.csv.
# Set with -e: datafile (timeseries.csv), outbase (output path without
# extension), cols (column numbers of <res>_allocated_frac), ocols (of
# <res>_offered_unused_frac), titles (resource names, one word each).
# Writes outbase.png and outbase.svg.
set datafile separator comma
set title 'Cluster utilization (solid: allocated, dashed: offered but unused)' noenhanced
set xlabel 'simulated time (s)'
set ylabel 'fraction of cluster total'
set yrange [0:1.05]
set grid
set key outside right top noenhanced
set style data lines
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,540 noenhanced } else { set terminal png size 960,540 }
set output outbase.'.png'
plot for [i=1:words(cols)] datafile skip 1 using 1:(column(int(word(cols,i)))) lw 2 lc i title word(titles,i).' allocated', \
     for [i=1:words(ocols)] datafile skip 1 using 1:(column(int(word(ocols,i)))) lw 1 dt 2 lc i title word(titles,i).' offered'
set terminal svg size 960,540 noenhanced
set output outbase.'.svg'
replot
set output
