// Checks one HTTP answer against the OpenAPI document: the operation must
// exist, the status must be documented for it, the documented required
// headers must be present and well-formed, the media type must be one the
// document lists, and a JSON body must match the schema for that status.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { METHODS, deref } from './spec.mjs';

const SPEC_ID = 'openapi.json';

function escapePointer(k) {
  return String(k).replace(/~/g, '~0').replace(/\//g, '~1');
}

function mediaType(contentType) {
  return (contentType || '').split(';')[0].trim().toLowerCase();
}

function isJson(type) {
  return type === 'application/json' || type.endsWith('+json');
}

/** Literal segments first, so /v1/measurements/batch wins over /v1/measurements/{id}. */
function buildMatchers(spec) {
  const list = Object.keys(spec.paths || {}).map((template) => {
    const segs = template.split('/');
    const re = new RegExp('^' + segs.map((s) => (/^\{.*\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
    return { template, re, literal: segs.filter((s) => !/^\{.*\}$/.test(s)).length };
  });
  return list.sort((a, b) => b.literal - a.literal);
}

export function createValidator(spec) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema(spec, SPEC_ID);
  const compiled = new Map();
  const matchers = buildMatchers(spec);

  function schemaValidator(pointer) {
    let v = compiled.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      compiled.set(pointer, v);
    }
    return v;
  }

  function ajvErrors(v) {
    return (v.errors || []).slice(0, 8).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''}`);
  }

  /** Resolves a response object and the JSON pointer where it lives (for schema references). */
  function responseAt(pointer, obj) {
    let p = pointer;
    let o = obj;
    for (let i = 0; o && o.$ref && i < 20; i++) {
      p = o.$ref.slice(1);
      o = deref(spec, { $ref: o.$ref });
    }
    return { pointer: p, response: o };
  }

  function match(method, path) {
    // HEAD is GET without a body (RFC 9110 9.3.2): the GET operation's answer.
    const m = method === 'HEAD' ? 'get' : method.toLowerCase();
    for (const { template, re } of matchers) {
      if (!re.test(path)) continue;
      const item = spec.paths[template];
      if (item[m] && METHODS.includes(m)) return { template, op: item[m], method: m };
      return { template, op: null, method: m, allowed: METHODS.filter((x) => item[x]) };
    }
    return null;
  }

  function checkHeaders(problems, response, headers) {
    for (const [name, h0] of Object.entries(response.headers || {})) {
      const h = deref(spec, h0);
      const value = headers.get(name);
      if (value === null || value === undefined) {
        if (h.required) problems.push(`missing required header ${name}`);
        continue;
      }
      if (h.schema) {
        const k = JSON.stringify(h.schema);
        if (!compiled.has(k)) compiled.set(k, ajv.compile({ ...h.schema }));
        const v = compiled.get(k);
        if (!v(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${ajvErrors(v).join('; ')}`);
      }
    }
  }

  function checkBody(problems, pointer, response, status, headers, text) {
    const content = response.content;
    const type = mediaType(headers.get('content-type'));
    if (!content) {
      if (text && text.length > 0) problems.push(`status ${status} is documented without a body, but one came (${type || 'no type'})`);
      return;
    }
    const key = Object.keys(content).find((k) => k.toLowerCase() === type);
    if (!key) {
      problems.push(`Content-Type ${JSON.stringify(headers.get('content-type'))} is not one of ${Object.keys(content).join(', ')}`);
      return;
    }
    if (!isJson(type) || !content[key].schema) return;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`the ${type} body is not JSON: ${text.slice(0, 120)}`);
      return;
    }
    const v = schemaValidator(`${pointer}/content/${escapePointer(key)}/schema`);
    if (!v(body)) problems.push(...ajvErrors(v).map((e) => 'body ' + e));
    if (type === 'application/problem+json' && body && body.status !== status) {
      problems.push(`problem status ${body.status} differs from the HTTP status ${status}`);
    }
  }

  /**
   * Checks one answer. Returns { operation, problems: [string] }; operation is
   * 'GET /v1/things/{id}' (or null for a path the document does not have).
   */
  function check(method, path, status, headers, text) {
    const problems = [];
    if (!headers.get('x-request-id')) problems.push('missing X-Request-Id');
    const found = match(method, path);
    if (!found) {
      // A path of no operation: only a plain 404 problem is right.
      const { pointer, response } = responseAt('', { $ref: '#/components/responses/NotFound' });
      if (status !== 404) problems.push(`no operation in the document for ${method} ${path}, yet the answer was ${status}`);
      else checkBody(problems, pointer, response, status, headers, text);
      return { operation: null, problems };
    }
    if (!found.op) {
      const operation = `${method} ${found.template}`;
      if (method === 'OPTIONS' && status === 204) return { operation, problems };
      if (status !== 405) {
        problems.push(`${operation} is not in the document, yet the answer was ${status}`);
        return { operation, problems };
      }
      const { pointer, response } = responseAt('', { $ref: '#/components/responses/MethodNotAllowed' });
      checkHeaders(problems, response, headers);
      checkBody(problems, pointer, response, status, headers, text);
      return { operation, problems };
    }
    const operation = `${method === 'HEAD' ? 'GET' : method} ${found.template}`;
    const base = `/paths/${escapePointer(found.template)}/${found.method}/responses`;
    const responses = found.op.responses || {};
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => responses[k]);
    if (!key) {
      problems.push(`status ${status} is not documented for ${operation} (documented: ${Object.keys(responses).join(', ')})`);
      return { operation, problems };
    }
    const { pointer, response } = responseAt(`${base}/${key}`, responses[key]);
    checkHeaders(problems, response, headers);
    if (method === 'HEAD') {
      if (text) problems.push('a HEAD answer has a body');
    } else {
      checkBody(problems, pointer, response, status, headers, text);
    }
    return { operation, problems };
  }

  return { check, match };
}
