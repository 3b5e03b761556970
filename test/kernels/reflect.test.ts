import { describe, expect, it } from 'vitest';
import { DeviceError } from '../../src/errors.js';
import { packUniforms, reflectShader } from '../../src/kernels/reflect.js';
import { SHADER_NAMES, shaderSource } from '../../src/kernels/shaders.js';

const SOURCE = `
struct Params { n: u32, alpha: f32, offset: i32, shape: array<vec4<u32>, 2>, }
override OP: u32 = 0u;
override FLAG: bool = false;
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) { y[g.x] = x[g.x] * params.alpha; }
@compute @workgroup_size(64)
fn only_y(@builtin(global_invocation_id) g: vec3<u32>) { y[g.x] = 0.0; }
`;

describe('shader reflection', () => {
  it('finds bindings per entry point, in binding order, with their access', () => {
    const layout = reflectShader('test', SOURCE);
    expect(layout.entries.get('main')!.bindings).toEqual([
      { name: 'x', binding: 0, kind: 'read-only-storage' },
      { name: 'params', binding: 1, kind: 'uniform' },
      { name: 'y', binding: 2, kind: 'storage' },
    ]);
    expect(layout.entries.get('only_y')!.bindings.map((b) => b.name)).toEqual(['y']);
    expect([...layout.overrides]).toEqual([
      ['OP', 'u32'],
      ['FLAG', 'bool'],
    ]);
  });

  it('packs uniforms by member name at the reflected offsets', () => {
    const uniform = reflectShader('test', SOURCE).entries.get('main')!.uniform!;
    const bytes = packUniforms(uniform, { n: 7, alpha: 0.5, offset: -3, shape: [1, 2, 3, 4, 5, 6, 7, 8] }, 'test');
    const view = new DataView(bytes);
    expect(bytes.byteLength % 16).toBe(0);
    expect(view.getUint32(0, true)).toBe(7);
    expect(view.getFloat32(4, true)).toBe(0.5);
    expect(view.getInt32(8, true)).toBe(-3);
    expect(view.getUint32(16, true)).toBe(1); // the vec4 array starts 16-byte aligned
    expect(view.getUint32(16 + 7 * 4, true)).toBe(8);
  });

  it('rejects unknown, missing and oversized uniform values', () => {
    const uniform = reflectShader('test', SOURCE).entries.get('main')!.uniform!;
    const full = { n: 1, alpha: 1, offset: 0, shape: [1] };
    expect(() => packUniforms(uniform, { ...full, nope: 1 }, 'test')).toThrow(/has no member 'nope'/);
    expect(() => packUniforms(uniform, { n: 1, alpha: 1, shape: [1] }, 'test')).toThrow(/'offset' was not given/);
    expect(() => packUniforms(uniform, { ...full, shape: new Array(9).fill(0) }, 'test')).toThrow(/takes 8 values, got 9/);
    expect(() => packUniforms(uniform, { ...full, shape: new Array(9).fill(0) }, 'test')).toThrow(DeviceError);
  });

  it('rejects uniform arrays with padded strides (they cannot be packed as flat scalars)', () => {
    const padded = `struct P { v: array<vec3<u32>, 2>, } @group(0) @binding(0) var<uniform> p: P;
      @group(0) @binding(1) var<storage, read_write> y: array<u32>;
      @compute @workgroup_size(1) fn main() { y[0] = p.v[0].x; }`;
    expect(() => reflectShader('padded', padded)).toThrow(/tightly packed/);
  });

  it('refuses a layout where a shadowing name is mistaken for a use of a binding', () => {
    // wgsl_reflect resolves names textually: the parameter `x` of f() counts as a use of the binding `x`,
    // so main would claim two bindings at slot 0.
    const clash = `@group(0) @binding(0) var<storage, read> x: array<f32>;
      @group(0) @binding(0) var<storage, read> x4: array<vec4<f32>>;
      @group(0) @binding(1) var<storage, read_write> out: array<f32>;
      fn f(x: f32) -> f32 { return x * 2.0; }
      @compute @workgroup_size(1) fn main() { out[0] = f(x4[0].y); }`;
    expect(() => reflectShader('clash', clash)).toThrow(/share a number/);
  });

  it('every shipped shader reflects, with includes resolved and group 0 only', () => {
    for (const name of SHADER_NAMES) {
      const source = shaderSource(name);
      expect(source).not.toMatch(/\/\/!include/);
      expect(reflectShader(name, source).entries.size).toBeGreaterThan(0);
    }
  });
});
