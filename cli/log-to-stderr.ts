// Imported first by cli/index.ts, before anything that creates the logger: a command's stdout is
// its answer (JSON with --json, read by scripts), so the CLI process logs to stderr. Commands sent
// to a running server over the control socket log where that server does.
process.env.GATEHOUSE_LOG_STREAM = "stderr";
