import type { TrainerConfig } from '../config/trainer-config.js';
import type { Reporter } from '../progress/reporter.js';
import type { RunFolder } from './run-folder.js';
import type { StopSignal } from './stop-signal.js';

/** What every phase of a run shares: the resolved config, the run folder, output and the stop request. */
export interface RunContext {
  config: TrainerConfig;
  run: RunFolder;
  reporter: Reporter;
  stop: StopSignal;
}
