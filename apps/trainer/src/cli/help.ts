/** `arpo help`. */
export const HELP = `arpo — the ARPO reference trainer (agentic RL with entropy-based adaptive rollout)

Usage: arpo <command> [options]

Commands
  demo                 @arpo/demo-model's pretrained checkpoint: evaluation, ARPO RL, evaluation, HTML report
                       (--from-scratch: data, demonstrations and SFT of a fresh model first)
  sft                  cold-start SFT on scripted demonstrations with real tool calls
  train                RL from --model (--algorithm arpo | grpo)
  eval                 greedy pass@1 of --model on held-out questions, tools on and off
  report <run-dir...>  write the self-contained HTML report (several runs are overlaid)
  compare              ARPO vs GRPO from one SFT model over --seeds seeds; prints the table
  serve                serve --model over the OpenAI completions API (/v1/completions, /v1/models)
  config --schema      print the JSON Schema of the config file (--print: the resolved config)

Options
  -c, --config <file>  YAML or JSON config (see arpo config --schema)
  --set <path=value>   override one field, e.g. --set arpo.rollout.rollouts=8 (repeatable)
  -o, --out <dir>      run folder (default runs/<command>)
  --model <dir>        HF model folder (model.path)
  --algorithm <name>   arpo | grpo (train.algorithm)
  --steps <n>          RL steps (train.steps)      --sft-steps <n>  SFT steps (sft.steps)
  --seed <n>           run seed                    --seeds <n>      seeds per algorithm (compare)
  --rollouts <M>       group size M                --suites a,b     knowledge, compute, mixed
  --resume             continue the run folder from its newest complete checkpoint
  --quick              a few steps on small data (smoke test)
  --from-scratch       demo / compare: SFT a fresh model instead of starting from @arpo/demo-model
  -q, --quiet          no progress output          --json           JSON lines on stdout
  --plain              progress as plain lines (default when not a terminal)
  --port, --host       arpo serve's address (default 127.0.0.1:8000)

Ctrl-C stops after the current step, saves a checkpoint and the summary; a second Ctrl-C exits at once.
`;
