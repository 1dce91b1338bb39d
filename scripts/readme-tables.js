#!/usr/bin/env node
// The inputs and outputs tables of the README are made from the action.yml files, so the two
// cannot drift: between `<!-- inputs: <file> -->` (or `outputs:`) and `<!-- end -->` in a markdown
// file, this writes the table of that action file. `--check` writes nothing and fails where a
// table differs from what it would write (`npm run lint` runs that).
//
//   node scripts/readme-tables.js [--check] [markdown files; default README.md]
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const root = path.resolve(__dirname, '..');
const MARKER = /(<!-- (inputs|outputs): (\S+) -->\n)[\s\S]*?(<!-- end -->)/g;

/** One line of a description: folded YAML's newlines are spaces; a pipe would end the cell. */
const cell = (text) =>
  String(text ?? '')
    .trim()
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|');

/** What the runner passes when the workflow gives nothing, as a reader wants to see it. */
function shownDefault(value) {
  if (value === undefined || value === '') return '';
  return `\`${String(value).replace(/\|/g, '\\|')}\``;
}

function table(kind, actionFile) {
  const action = YAML.parse(fs.readFileSync(path.join(root, actionFile), 'utf8'));
  const entries = Object.entries(action[kind] ?? {});
  if (entries.length === 0) throw new Error(`${actionFile} has no ${kind}`);
  if (kind === 'inputs') {
    const rows = entries.map(([name, i]) => `| \`${name}\` | ${shownDefault(i.default)} | ${cell(i.description)} |`);
    return ['| input | default | description |', '| --- | --- | --- |', ...rows].join('\n');
  }
  const rows = entries.map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`);
  return ['| output | description |', '| --- | --- |', ...rows].join('\n');
}

function render(markdown) {
  return markdown.replace(MARKER, (_all, open, kind, file, end) => `${open}\n${table(kind, file)}\n\n${end}`);
}

const check = process.argv.includes('--check');
const files = process.argv.slice(2).filter((a) => a !== '--check');
let stale = 0;
for (const file of files.length > 0 ? files : ['README.md']) {
  const full = path.join(root, file);
  const before = fs.readFileSync(full, 'utf8');
  if (!MARKER.test(before)) throw new Error(`${file} has no <!-- inputs: … --> or <!-- outputs: … --> table`);
  MARKER.lastIndex = 0;
  const after = render(before);
  if (after === before) continue;
  if (check) {
    console.error(`${file}: a table differs from its action.yml; run 'node scripts/readme-tables.js ${file}'`);
    stale += 1;
  } else {
    fs.writeFileSync(full, after);
    console.log(`${file}: tables written`);
  }
}
process.exit(stale > 0 ? 1 : 0);
