// axe-core (npm axe-core) in the page under test: the serious and critical accessibility
// findings of what the page shows now. page.evaluate runs outside the page's CSP, so faxd's
// policy stays as it is.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// [ "rule-id (impact): target — summary" ] of the serious and critical violations.
export async function axeFindings(page) {
  await page.evaluate(source);
  const result = await page.evaluate(async () => window.axe.run(document, {
    resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const out = [];
  for (const v of result.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) out.push(`${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`);
  }
  return out;
}
