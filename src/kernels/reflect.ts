/**
 * Shader reflection: bindings, the uniform struct's layout and override constants, read from the WGSL
 * source with wgsl_reflect, so bind-group layouts and uniform packing are never written by hand.
 */
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';
import { DeviceError } from '../errors.js';

export type ScalarType = 'f32' | 'i32' | 'u32';

export interface BindingInfo {
  name: string;
  binding: number;
  kind: 'read-only-storage' | 'storage' | 'uniform';
}

/** One scalar-typed member of the uniform struct: `count` scalars starting at `offset` bytes. */
export interface UniformMember {
  name: string;
  offset: number;
  type: ScalarType;
  /** Scalars in the member (1 for a scalar, 4 for vec4, 8 for array<vec4<u32>, 2>, ...). */
  count: number;
}

export interface UniformLayout {
  name: string;
  binding: number;
  size: number;
  members: Map<string, UniformMember>;
}

export interface EntryLayout {
  name: string;
  /** Bindings the entry point uses, in binding order (group 0 only: kernels use one group). */
  bindings: BindingInfo[];
  uniform: UniformLayout | null;
}

export interface ShaderLayout {
  entries: Map<string, EntryLayout>;
  overrides: Map<string, ScalarType | 'bool'>;
}

interface ReflectType {
  name: string;
  size: number;
  isArray: boolean;
  isStruct: boolean;
  isTemplate: boolean;
  count: number;
  stride: number;
  format?: ReflectType | null;
  members?: ReflectMember[];
}
interface ReflectMember {
  name: string;
  offset: number;
  size: number;
  type: ReflectType;
}
interface ReflectVariable {
  name: string;
  group: number;
  binding: number;
  access: string;
  resourceType: number;
  type: ReflectType;
  size: number;
  members: ReflectMember[] | null;
}

function scalarOf(type: ReflectType, where: string): { type: ScalarType; count: number } {
  const scalar = (name: string): ScalarType => {
    if (name === 'f32' || name === 'i32' || name === 'u32') return name;
    throw new DeviceError(`${where}: uniform members must be f32/i32/u32 based, got '${name}'`);
  };
  if (type.isArray) {
    const inner = scalarOf(type.format!, where);
    if (type.stride !== 4 * inner.count) {
      throw new DeviceError(`${where}: uniform arrays must be tightly packed (use array<vec4<u32>, N>), stride is ${type.stride}`);
    }
    return { type: inner.type, count: inner.count * type.count };
  }
  if (type.isTemplate) {
    const width = /^vec([234])/.exec(type.name);
    if (!width) throw new DeviceError(`${where}: unsupported uniform member type '${type.name}'`);
    return { type: scalar(type.format!.name), count: Number(width[1]) };
  }
  return { type: scalar(type.name), count: 1 };
}

const layoutCache = new Map<string, ShaderLayout>();

/** Reflect a WGSL module (cached by source text). */
export function reflectShader(name: string, source: string): ShaderLayout {
  const cached = layoutCache.get(source);
  if (cached) return cached;
  let reflect: WgslReflect;
  try {
    reflect = new WgslReflect(source);
  } catch (err) {
    throw new DeviceError(`shader '${name}' could not be parsed: ${(err as Error).message}`);
  }
  const byName = new Map<string, ReflectVariable>();
  for (const v of [...reflect.storage, ...reflect.uniforms] as unknown as ReflectVariable[]) {
    if (v.group !== 0) throw new DeviceError(`shader '${name}': binding '${v.name}' must be in @group(0)`);
    byName.set(v.name, v);
  }
  const entries = new Map<string, EntryLayout>();
  for (const entry of reflect.entry.compute as unknown as { name: string; resources: ReflectVariable[] }[]) {
    const used = entry.resources
      .map((r) => byName.get(r.name))
      .filter((v): v is ReflectVariable => v !== undefined)
      .sort((a, b) => a.binding - b.binding);
    let uniform: UniformLayout | null = null;
    const bindings: BindingInfo[] = used.map((v) => {
      const isUniform = (reflect.uniforms as unknown as ReflectVariable[]).includes(v);
      if (isUniform) {
        const members = new Map<string, UniformMember>();
        for (const m of v.members ?? []) {
          members.set(m.name, { name: m.name, offset: m.offset, ...scalarOf(m.type, `${name}.${v.name}.${m.name}`) });
        }
        uniform = { name: v.name, binding: v.binding, size: v.size, members };
        return { name: v.name, binding: v.binding, kind: 'uniform' as const };
      }
      return { name: v.name, binding: v.binding, kind: v.access === 'read' ? 'read-only-storage' : 'storage' };
    });
    // wgsl_reflect resolves names textually, so a function parameter or local that shadows a binding's
    // name counts as a use of that binding: refuse such a layout loudly rather than build a bind-group
    // layout Dawn rejects.
    const numbers = bindings.map((b) => b.binding);
    if (new Set(numbers).size !== numbers.length) {
      throw new DeviceError(
        `shader '${name}' (${entry.name}): bindings ${bindings.map((b) => `${b.name}@${b.binding}`).join(', ')} share a number; ` +
          'rename the binding so no parameter or local in that entry point shadows it',
      );
    }
    entries.set(entry.name, { name: entry.name, bindings, uniform });
  }
  const overrides = new Map<string, ScalarType | 'bool'>();
  for (const o of reflect.overrides as unknown as { name: string; type: { name: string } }[]) {
    overrides.set(o.name, o.type.name as ScalarType | 'bool');
  }
  const layout = { entries, overrides };
  layoutCache.set(source, layout);
  return layout;
}

/** Pack named values into the uniform struct's bytes, by the reflected offsets and types. */
export function packUniforms(
  layout: UniformLayout,
  values: Record<string, number | readonly number[]>,
  where: string,
): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.max(16, Math.ceil(layout.size / 16) * 16));
  const view = new DataView(bytes);
  for (const [key, value] of Object.entries(values)) {
    const member = layout.members.get(key);
    if (!member) {
      throw new DeviceError(`${where}: uniform '${layout.name}' has no member '${key}' (has ${[...layout.members.keys()].join(', ')})`);
    }
    const list = typeof value === 'number' ? [value] : value;
    if (list.length > member.count) {
      throw new DeviceError(`${where}: ${key} takes ${member.count} values, got ${list.length}`);
    }
    list.forEach((x, i) => {
      const at = member.offset + 4 * i;
      if (member.type === 'f32') view.setFloat32(at, x, true);
      else if (member.type === 'i32') view.setInt32(at, x, true);
      else view.setUint32(at, x, true);
    });
  }
  for (const key of layout.members.keys()) {
    if (!(key in values)) throw new DeviceError(`${where}: uniform member '${key}' was not given a value`);
  }
  return bytes;
}
