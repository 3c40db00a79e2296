// The "application" of the distroless-like image: a tiny HTTP-less server that logs JSON lines.
// It is the image's only program: the image has no shell and no coreutils.
let n = 0;
console.log(JSON.stringify({ level: 'info', msg: 'ledger started', pid: process.pid }));
const timer = setInterval(() => {
  n += 1;
  console.log(JSON.stringify({ level: 'info', msg: 'ledger balanced', batch: n }));
}, 2000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log(JSON.stringify({ level: 'info', msg: 'ledger stopping on SIGTERM' }));
  process.exit(0);
});
