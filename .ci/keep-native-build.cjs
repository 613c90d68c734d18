// better-sqlite3 compiles SQLite from source on this machine: its prebuilt binaries are on GitHub,
// which CI cannot reach. After a compile, this keeps the addon in npm's cache under the name that
// prebuild-install looks for before it downloads (keyed by version, Node ABI, platform and arch),
// so the next install on the same machine unpacks it instead of compiling for a minute. A machine
// with an empty cache compiles as before.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.dirname(require.resolve('better-sqlite3/package.json'));
const fromBetterSqlite = (name) => require(require.resolve(name, { paths: [dir] }));
const pkg = fromBetterSqlite('./package.json');
const opts = { ...fromBetterSqlite('prebuild-install/rc')(pkg), pkg };
const util = fromBetterSqlite('prebuild-install/util');
const cached = util.cachedPrebuild(util.getDownloadUrl(opts));
const addon = 'build/Release/better_sqlite3.node';

if (fs.existsSync(cached)) {
  console.log(`better-sqlite3: kept build already in ${cached}`);
} else if (!fs.existsSync(path.join(dir, addon))) {
  console.log(`better-sqlite3: no ${addon} to keep`);
} else {
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  const partial = `${cached}.${process.pid}.tmp`;
  execFileSync('tar', ['-czf', partial, '-C', dir, addon]);
  fs.renameSync(partial, cached);
  console.log(`better-sqlite3: build kept in ${cached}`);
}
