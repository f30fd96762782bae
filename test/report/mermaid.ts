// Reads the Mermaid `xychart-beta` blocks back out of a markdown text, the way a test checks what a
// reader of the rendered chart would see: its title, x-axis labels, y-axis top and each series.
export interface XyChart {
  title: string;
  labels: string[];
  top: number;
  bars: number[][];
  lines: number[][];
}

function numbers(list: string): number[] {
  return list
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map(Number);
}

function parseBlock(block: string): XyChart {
  const chart: XyChart = { title: '', labels: [], top: Number.NaN, bars: [], lines: [] };
  for (const raw of block.split('\n')) {
    const line = raw.trim();
    const title = /^title "(.*)"$/.exec(line);
    if (title) chart.title = title[1];
    const x = /^x-axis \[(.*)\]$/.exec(line);
    if (x) chart.labels = [...x[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    const y = /^y-axis "[^"]*" (\S+) --> (\S+)$/.exec(line);
    if (y) chart.top = Number(y[2]);
    const series = /^(bar|line) \[(.*)\]$/.exec(line);
    if (series) (series[1] === 'bar' ? chart.bars : chart.lines).push(numbers(series[2]));
  }
  return chart;
}

/** Every ```mermaid block that is an xychart, keyed by its title. */
export function xyCharts(markdown: string): Map<string, XyChart> {
  const charts = new Map<string, XyChart>();
  for (const m of markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)) {
    if (!m[1].trimStart().startsWith('xychart-beta')) continue;
    const chart = parseBlock(m[1]);
    charts.set(chart.title, chart);
  }
  return charts;
}
