// Independent verifier: Digital Bazaar's VC 2.0 stack checks credentials signed by the Python ledger.
// Input (stdin or a file argument): JSON array of {document, keys: [{id, controller, publicKeyMultibase}]}.
// Output: JSON array, one entry per input: {verified, error, nested: [{verified, error}]} where `nested`
// holds the separate verification of each credential embedded in a ClrCredential.
import {readFile} from 'node:fs/promises';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = join(here, '..', '..', '..', 'credentials', 'contexts');
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

async function loadPinnedContexts() {
  const index = JSON.parse(await readFile(join(contextsDir, 'index.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, file] of Object.entries(index.contexts)) {
    contexts.set(url, JSON.parse(await readFile(join(contextsDir, file), 'utf8')));
  }
  return contexts;
}

function keyDocuments(keys) {
  const documents = new Map();
  const controllers = new Map();
  for(const {id, controller, publicKeyMultibase} of keys) {
    documents.set(id, {'@context': MULTIKEY_V1, id, type: 'Multikey', controller, publicKeyMultibase});
    const methods = controllers.get(controller) || [];
    methods.push({id, type: 'Multikey', controller, publicKeyMultibase});
    controllers.set(controller, methods);
  }
  for(const [controller, methods] of controllers) {
    documents.set(controller, {
      '@context': [DID_V1, MULTIKEY_V1],
      id: controller,
      verificationMethod: methods,
      assertionMethod: methods.map(method => method.id)
    });
  }
  return documents;
}

// Serves only the vendored contexts and the given keys / controller documents; never the network.
function offlineLoader(contexts, keys) {
  const documents = keyDocuments(keys);
  return async url => {
    const document = contexts.get(url) || documents.get(url);
    if(!document) {
      throw new Error(`document not available offline: ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(document)};
  };
}

// Status (revocation / suspension) is the ledger's own verifier's job; this check is only about
// the signature and the JSON-LD, so any status entry is accepted here.
const checkStatus = async () => ({verified: true});

function describe(result) {
  if(result.verified) {
    return {verified: true, error: null};
  }
  const errors = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean);
  const messages = errors.flatMap(e => (e.errors ? e.errors : [e])).map(e => e.message || String(e));
  return {verified: false, error: [...new Set(messages)].join('; ') || 'not verified'};
}

async function verifyOne(credential, documentLoader) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  return describe(result);
}

function nestedCredentials(credential) {
  const types = [].concat(credential.type || []);
  if(!types.includes('ClrCredential')) {
    return [];
  }
  return [].concat(credential.credentialSubject?.verifiableCredential || []);
}

async function main() {
  const input = process.argv[2] ? await readFile(process.argv[2], 'utf8') : await readStdin();
  const contexts = await loadPinnedContexts();
  const results = [];
  for(const {document, keys} of JSON.parse(input)) {
    const documentLoader = offlineLoader(contexts, keys || []);
    const result = await verifyOne(document, documentLoader);
    const nested = [];
    for(const credential of nestedCredentials(document)) {
      nested.push(await verifyOne(credential, documentLoader));
    }
    results.push({...result, nested});
  }
  process.stdout.write(JSON.stringify(results) + '\n');
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

await main();
