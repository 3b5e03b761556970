// WGSL files are imported as text: esbuild's `text` loader and a tiny Vite plugin (vitest.config.ts) do it,
// so shaders reach the browser bundle without `fs` at run time.
declare module '*.wgsl' {
  const source: string;
  export default source;
}
