// wgsl_reflect ships types for its CommonJS entry only; the ESM module has the same API.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
