// Builds the grid's frontend into build/: the page the component's frame opens, its script and its style, named by
// their content (ui/serve.py lets the browser keep such files), and the fingerprint of what they were built from
// (tests/unit/test_grid_frontend.py checks it against the sources, so a change to them without a build fails).
import { createHash } from "node:crypto"
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import * as esbuild from "esbuild"

const here = import.meta.dirname
rmSync(join(here, "build"), { recursive: true, force: true })
const result = await esbuild.build({
  entryPoints: [join(here, "src/index.tsx")],
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2020",
  define: { "process.env.NODE_ENV": '"production"' },
  loader: { ".woff": "file", ".woff2": "file" },
  outdir: join(here, "build/static"),
  entryNames: "[name].[hash]",
  assetNames: "media/[name].[hash]",
  metafile: true,
  logLevel: "warning",
})
const outputs = Object.keys(result.metafile.outputs).map((path) => relative(join(here, "build"), path))
const script = outputs.find((path) => path.endsWith(".js"))
const style = outputs.find((path) => path.endsWith(".css"))
writeFileSync(join(here, "build/index.html"), readFileSync(join(here, "index.html"), "utf8")
  .replace("SCRIPT", `./${script}`).replace("STYLE", `./${style}`))
writeFileSync(join(here, "build/SOURCES.sha256"), sourcesFingerprint() + "\n")

// The same walk as the test's: every file under src/, then the build's own inputs, by path, bytes hashed.
function sourcesFingerprint() {
  const files = []
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name)
      statSync(path).isDirectory() ? walk(path) : files.push(path)
    }
  }
  walk(join(here, "src"))
  files.push(...["build.mjs", "index.html", "package.json", "package-lock.json"].map((name) => join(here, name)))
  const hash = createHash("sha256")
  for (const path of files) {
    hash.update(relative(here, path) + "\0")
    hash.update(readFileSync(path))
    hash.update("\0")
  }
  return hash.digest("hex")
}
