/** `arpo help`. */
export const HELP = `arpo — the ARPO reference trainer (agentic RL with entropy-based adaptive rollout)

Usage: arpo <command> [options]      (arpo <command> --help: the options of one command)

Commands
  demo                 @arpo/demo-model's pretrained checkpoint: evaluation, ARPO RL, evaluation, HTML report
                       (--from-scratch: data, demonstrations and SFT of a fresh model first)
  sft                  cold-start SFT on scripted demonstrations with real tool calls
  train                RL from --model (--algorithm arpo | grpo | aepo)
  eval                 greedy pass@1 of --model on held-out questions, tools on and off
  report <run-dir...>  write the self-contained HTML report (several runs are overlaid)
  compare              GRPO, ARPO and AEPO from one model over --seeds seeds (--algorithms, --suite, --sweep);
                       prints the table, writes compare.md, compare.json, frontier.svg and report.html
  serve                serve --model over the OpenAI completions API (/v1/completions, /v1/models)
  config --schema      print the JSON Schema of the config file (--print: the resolved config)

Options
  -c, --config <file>  YAML or JSON config (see arpo config --schema)
  --set <path=value>   override one field, e.g. --set arpo.rollout.rollouts=8 (repeatable)
  -o, --out <dir>      run folder (default runs/<command>)
  --model <dir>        HF model folder (model.path)
  --algorithm <name>   arpo | grpo | aepo (train.algorithm)
  --steps <n>          RL steps (train.steps)      --sft-steps <n>  SFT steps (sft.steps)
  --seed <n>           run seed                    --seeds <n>      seeds per algorithm (compare)
  --algorithms a,b     compare: grpo, arpo, aepo   --suite <name>   compare: knowledge | deep-search
  --first-seed <S>     compare: the first seed     --sweep <p=v,…>  compare: a setting under arpo, one run per value
  --rollouts <M>       group size M                --suites a,b     knowledge, compute, mixed, deep-search
  --resume             continue the run folder from its newest complete checkpoint
  --quick              a few steps on small data (smoke test)
  --workers <n|auto>   gradient lanes of SFT / RL updates (default auto: the cores; same results for any n)
  --from-scratch       demo / compare: SFT a fresh model instead of starting from @arpo/demo-model
  -q, --quiet          no progress output          --json           JSON lines on stdout
  --plain              progress as plain lines (default when not a terminal)
  --port, --host       arpo serve's address (default 127.0.0.1:8000)

Ctrl-C stops after the current step, saves a checkpoint and the summary; a second Ctrl-C exits at once.
`;

const COMMON = `  -c, --config <file>  YAML or JSON config (see arpo config --schema)
  --set <path=value>   override one field, e.g. --set arpo.rollout.rollouts=8 (repeatable)
  --seed <n>           run seed
  -q, --quiet          no progress output          --json           JSON lines on stdout
  --plain              progress as plain lines (default when not a terminal)`;

const RUN = `  -o, --out <dir>      run folder (default runs/<command>)
  --resume             continue the run folder from its newest complete checkpoint (an error if it has none)
  --quick              a few steps on small data (smoke test)
  --workers <n|auto>   gradient lanes of SFT / RL updates (default auto: the cores; same results for any n)`;

/** `arpo <command> --help`: what the command does and the options it reads. */
const COMMAND_HELP: Record<string, string> = {
  demo: `Usage: arpo demo [options]

Evaluates @arpo/demo-model's pretrained checkpoint on held-out questions (search on and off), runs ARPO RL,
evaluates again and writes runs/demo/report.html. With --from-scratch: tasks, scripted demonstrations with real
tool calls and SFT of a fresh model come first.

Options
  --steps <n>          RL steps (train.steps)      --rollouts <M>   group size M
  --from-scratch       SFT a fresh model instead of starting from @arpo/demo-model
  --sft-steps <n>      SFT steps with --from-scratch (sft.steps)
${RUN}
${COMMON}
`,
  sft: `Usage: arpo sft [options]

Cold-start SFT on scripted demonstrations with real tool calls (loss on model tokens only), then evaluation.
The model is written to <out>/sft-model.

Options
  --sft-steps <n>      SFT steps (sft.steps)       --model <dir>    continue from an HF model folder
  --suites a,b         knowledge, compute, mixed, deep-search
${RUN}
${COMMON}
`,
  train: `Usage: arpo train --model <dir> [options]

RL from an HF model folder: ARPO (entropy-based adaptive rollout), trajectory-level GRPO or AEPO (ARPO with the
four entropy-balanced options on: entropy pre-monitoring, consecutive-branch penalty, entropy-balanced clipping,
entropy-aware advantage; each can also be set alone under arpo.rollout / arpo.loss), with evaluations before and
after. The trained model is written to <out>/model.

Options
  --model <dir>        HF model folder (model.path)
  --algorithm <name>   arpo | grpo | aepo (train.algorithm)
  --steps <n>          RL steps (train.steps)      --rollouts <M>   group size M
  --suites a,b         knowledge, compute, mixed, deep-search
${RUN}
${COMMON}
`,
  eval: `Usage: arpo eval --model <dir> [options]

Greedy pass@1 of an HF model folder on the held-out test questions, tools on and off; one row per suite.

Options
  --model <dir>        HF model folder (model.path)
  --suites a,b         knowledge, compute, mixed, deep-search
  -o, --out <dir>      run folder (default runs/eval)
${COMMON}
`,
  report: `Usage: arpo report <run-dir...> [-o <file>]

Writes the self-contained HTML report of one run, or of several overlaid (e.g. the runs of arpo compare).
`,
  compare: `Usage: arpo compare [options]

Trajectory-level GRPO, ARPO and AEPO from the same model (default @arpo/demo-model) with the same data, group
size, steps and seeds; prints accuracy after RL with 95% intervals, the paired difference to GRPO over seeds,
tool calls, tokens and wall time per algorithm (and per swept value).

Options
  --algorithms a,b     distinct names from grpo, arpo, aepo, run in the order given (default grpo,arpo,aepo)
  --suite <name>       knowledge (default) | deep-search (starts from @arpo/demo-model's deep-search cold start)
  --seeds <n>          seeds per algorithm (default 3)     --first-seed <S>  seeds S, S+1, … (default --seed)
  --sweep <path=v,…>   a setting under arpo, one run per value, e.g. rollout.branchProbability=0.2,0.5,0.8
                       (GRPO is not swept for rollout.* paths)
  --steps <n>          RL steps per run (default 20)
  --model <dir>        start from this model instead of @arpo/demo-model
  --from-scratch       SFT a fresh model first (in <out>/sft)
${RUN}
${COMMON}

Writes to <out>: one run folder per algorithm, swept value and seed (e.g. arpo-seed0), compare.md (the table and
the frontier image), compare.json (suites.<suite>[]: one entry per algorithm and swept value), frontier.svg
(accuracy after RL vs tool calls in training; frontier-<suite>.svg for several suites) and report.html.

Examples
  arpo compare --algorithms grpo,arpo,aepo --suite deep-search --seeds 3
  arpo compare --algorithms arpo,aepo --sweep rollout.branchProbability=0.2,0.5,0.8 --seeds 2
`,
  serve: `Usage: arpo serve --model <dir> [--port 8000] [--host 127.0.0.1]

Serves an HF model folder over the OpenAI completions API (/v1/completions with logprobs, /v1/models), so that
OpenAI-compatible clients and @arpo/policy-openai can roll out against it.

Options
  --model <dir>        HF model folder (model.path)
  --port, --host       address (default 127.0.0.1:8000)
${COMMON}
`,
  config: `Usage: arpo config [--schema] [options]

Prints the resolved config (defaults, then the file, flags and --set), or with --schema the JSON Schema of the
config file.

Options
  --schema             the JSON Schema instead of the resolved config
${COMMON}
`,
};

/** The help of one command (`arpo <command> --help`, `arpo help <command>`), or the overview. */
export function helpFor(command?: string): string {
  return (command !== undefined && COMMAND_HELP[command]) || HELP;
}
