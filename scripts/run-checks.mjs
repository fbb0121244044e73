// npm run checks — the static checks `npm test` starts with, side by side: `tsc`, ESLint and
// Prettier's check (each `npm run` script of that name). They read the tree and share nothing, and
// each keeps about one core busy, so together they take about as long as the slowest alone. Each
// one's output is printed whole when it ends, under its name; the exit code is the first failure's.
import { spawn } from "node:child_process";

const CHECKS = ["typecheck", "lint", "format:check"];
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ["run", "--silent", script], { stdio: ["ignore", "pipe", "pipe"] });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.on("error", (err) => output.push(Buffer.from(`${err.message}\n`)));
    child.on("close", (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(0);
      const status = code === 0 ? "passed" : `FAILED (${signal ?? `exit code ${code}`})`;
      process.stdout.write(`\n== npm run ${script}: ${status} in ${seconds} s\n${Buffer.concat(output).toString()}`);
      resolve(code ?? 1);
    });
  });
}

const codes = await Promise.all(CHECKS.map(run));
process.exit(codes.find((code) => code !== 0) ?? 0);
