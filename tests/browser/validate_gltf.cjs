// Validates a .glb with the Khronos glTF validator (npm gltf-validator) and prints its report's
// issue counts as "errors N warnings N infos N hints N", then each message. Exit 0 when it ran.
//
//   node validate_gltf.cjs NPM_DIR FILE.glb
const fs = require('fs');
const path = require('path');
const [npmDir, file] = process.argv.slice(2);
const validator = require(path.resolve(npmDir, 'node_modules', 'gltf-validator'));

validator.validateBytes(new Uint8Array(fs.readFileSync(file)), { maxIssues: 100 }).then((report) => {
  const i = report.issues;
  console.log(`errors ${i.numErrors} warnings ${i.numWarnings} infos ${i.numInfos} hints ${i.numHints}`);
  for (const m of i.messages) console.log(`${['error', 'warning', 'info', 'hint'][m.severity]} ${m.code} ${m.pointer || ''}: ${m.message}`);
}).catch((e) => { console.log('validator failed: ' + e); process.exit(1); });
