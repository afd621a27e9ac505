/**
 * Writes the generated compliance section into README.md (between its markers), from the
 * acknowledgement catalog and the patterns themselves. test/readme.test.ts fails when they differ.
 *
 *   npx ts-node --project test/tsconfig.json scripts/compliance-table.ts
 */
import * as fs from 'fs';
import * as path from 'path';
import { BEGIN, complianceTable, END } from '../test/compliance-table';

const readme = path.join(__dirname, '..', 'README.md');
const text = fs.readFileSync(readme, 'utf8');
const start = text.indexOf(BEGIN);
const end = text.indexOf(END);
if (start < 0 || end < start) {
  throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
}
fs.writeFileSync(readme, text.slice(0, start) + complianceTable() + text.slice(end + END.length));
console.log('README.md: compliance table written');
