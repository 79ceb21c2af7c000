// A one-line progress bar on stderr (redrawn in place on a terminal, a line every 10% otherwise).

export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDecile = -1;
  return {
    update(done: number, total: number, detail = '') {
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed > 0 ? done / elapsed : 0;
      const eta = rate > 0 && total > done ? `${Math.round((total - done) / rate)}s left` : '';
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round(fraction * width);
        const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(fraction * 100).toFixed(0)}% ${rate.toFixed(1)}/s ${eta} ${detail}`;
        stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1).padEnd((stream.columns ?? 120) - 1)}`);
      } else {
        const decile = Math.floor(fraction * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${label} ${done}/${total} (${(fraction * 100).toFixed(0)}%) ${detail}\n`);
        }
      }
    },
    finish() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
