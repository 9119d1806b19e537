// `node --import ./lib/plan/typescriptLoader.mjs <file.ts>`: runs TypeScript through tsx, as `--import tsx` does,
// then turns off Node's source-map support, which tsx turns on and which makes Node read and parse the source map
// of every SDK module a plan loads (about 0.4 s of a 2 s plan). Stack traces then point into the compiled code.
import "tsx";

process.setSourceMapsEnabled(false);
