// Counts the triples of a Turtle or N-Triples file with npm n3's streaming
// parser, the Node counterpart of `rapper -c`. Prints one line:
//   <triples> <seconds> <triples/s>
// Usage: node n3count.js FILE FORMAT   (FORMAT: text/turtle | application/n-triples)
'use strict';
const fs = require('fs');
const { StreamParser } = require('n3');

const [file, format] = process.argv.slice(2);
const start = process.hrtime.bigint();
let n = 0;
const parser = new StreamParser({ format, baseIRI: 'file:///bench/' + file });
fs.createReadStream(file, { highWaterMark: 1 << 20 })
  .pipe(parser)
  .on('data', () => { n++; })
  .on('error', (e) => { console.error(e.message); process.exit(1); })
  .on('end', () => {
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${n} ${secs.toFixed(3)} ${Math.round(n / secs)}`);
  });
