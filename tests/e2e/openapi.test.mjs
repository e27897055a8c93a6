// Validates the OpenAPI 3.1 document faxd serves (src/api/openapi.json) with an independent
// validator (@apidevtools/swagger-parser, which checks 3.1 against the official schema and
// resolves every $ref), and checks that it describes the whole REST surface of api.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';

const here = path.dirname(fileURLToPath(import.meta.url));
const docPath = path.join(here, '../../src/api/openapi.json');
const load = async () => JSON.parse(await readFile(docPath, 'utf8'));

test('the document is valid OpenAPI 3.1', async () => {
  const doc = await load();
  assert.equal(doc.openapi, '3.1.0');
  await SwaggerParser.validate(structuredClone(doc));
});

test('a broken document is refused (the validator is really checking)', async () => {
  const doc = await load();
  doc.paths['/brands'].get.responses['200'].content['application/json'].schema = {
    $ref: '#/components/schemas/NoSuchSchema',
  };
  await assert.rejects(SwaggerParser.validate(doc));
  const noDescription = await load();
  delete noDescription.paths['/me'].get.responses['200'].description;
  await assert.rejects(SwaggerParser.validate(noDescription), /description/);
});

test('every path of api.md is described', async () => {
  const doc = await load();
  const expected = {
    '/login': ['post'], '/logout': ['post'], '/me': ['get'], '/openapi.json': ['get'],
    '/tokens': ['get', 'post'], '/tokens/{id}': ['delete'],
    '/faxes': ['get', 'post'], '/faxes/preview': ['post'], '/faxes/{id}': ['get', 'delete'],
    '/faxes/{id}/attempts': ['get'], '/faxes/{id}/document': ['get'],
    '/faxes/{id}/pages/{n}/thumbnail': ['get'], '/faxes/{id}/cancel': ['post'],
    '/faxes/{id}/resend': ['post'], '/events': ['get'],
    '/notification-templates/preview': ['post'], '/notification-templates/test': ['post'],
  };
  for (const r of ['brands', 'companies', 'users', 'carriers', 'routes', 'ddis', 'virtual-faxes', 'webhooks',
    'notification-templates']) {
    expected[`/${r}`] = ['get', 'post'];
    expected[`/${r}/{id}`] = ['get', 'patch', 'delete'];
  }
  for (const [p, methods] of Object.entries(expected)) {
    assert.ok(doc.paths[p], `${p} is missing`);
    for (const m of methods) assert.ok(doc.paths[p][m], `${m.toUpperCase()} ${p} is missing`);
  }
});

test('write-only secrets are never part of a response schema', async () => {
  const doc = await SwaggerParser.dereference(await load());
  const leaks = [];
  const walk = (schema, where) => {
    if (!schema || typeof schema !== 'object') return;
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (['password', 'secret'].includes(name) && !prop.writeOnly) leaks.push(`${where}.${name}`);
      walk(prop, `${where}.${name}`);
    }
    if (schema.items) walk(schema.items, `${where}[]`);
  };
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      for (const [code, res] of Object.entries(op.responses ?? {})) {
        for (const media of Object.values(res.content ?? {})) walk(media.schema, `${m} ${p} ${code}`);
      }
    }
  }
  assert.deepEqual(leaks, []);
  const carrier = doc.components.schemas.Carrier.properties;
  assert.equal(carrier.password, undefined, 'Carrier (a reply) has no password at all');
});
