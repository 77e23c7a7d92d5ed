# jct_by_size.gp - job completion time (submit -> last task ends) by job
# size, from plots/jct_by_size.dat (columns: tasks_max jobs mean p50 p90 p99 max).
# Set with -e: datafile, outbase.
set title 'Job completion time by job size' noenhanced
set xlabel 'job size (tasks; power-of-two buckets, upper bound)'
set ylabel 'job completion time (s)'
set logscale xy
set grid
set key left top noenhanced
set style data linespoints
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,540 noenhanced } else { set terminal png size 960,540 }
set output outbase.'.png'
plot datafile using 1:3 lw 2 pt 7 title 'mean', \
     datafile using 1:4 lw 1 pt 5 title 'p50', \
     datafile using 1:6 lw 1 pt 9 title 'p99'
set terminal svg size 960,540 noenhanced
set output outbase.'.svg'
replot
set output
