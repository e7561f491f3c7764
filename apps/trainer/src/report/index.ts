/** The HTML report of run folders: read, render, write. */
export { readRun, parseMetrics, parseMetricsRow, type RunData } from './read-run.js';
export { renderReport, type RenderReportOptions } from './render-report.js';
export { writeReport } from './write-report.js';
