// A uPlot chart as a preact component: made once, its data set on each
// change, sized to its box.
import { useEffect, useRef } from './vendor/hooks.js';
import uPlot from './vendor/uplot.js';
import { html } from './lib.js';

const colours = ['#0b6bcb', '#c62828', '#2e7d32', '#b26a00', '#6a1b9a', '#00838f', '#ad1457', '#4e342e'];

// data: [xs, ys1, ys2…]; series: names of ys; time: whether x is seconds since the epoch.
export function Chart({ data, series, time = true, height = 260, id }) {
  const box = useRef(null);
  const plot = useRef(null);
  const key = series.join('|');
  useEffect(() => {
    const opts = {
      width: box.current.clientWidth || 600,
      height,
      scales: { x: { time } },
      series: [{}, ...series.map((label, i) => ({ label, stroke: colours[i % colours.length], width: 1.5 }))],
    };
    plot.current = new uPlot(opts, data, box.current);
    return () => { plot.current.destroy(); plot.current = null; };
  }, [key, time, height]);
  useEffect(() => { if (plot.current) plot.current.setData(data); }, [data]);
  return html`<div class="chart" id=${id} ref=${box}></div>`;
}
