/**
 * Builds safetensors bytes by hand, straight from the format's description, independently of the
 * encoder under test: u64 little-endian header length, the header text, then the data bytes.
 */

/** Little-endian bytes of a u64 header length. */
export function u64le(n: number | bigint): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  for (let i = 0; i < 8; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

/** Little-endian bytes of float32 values. */
export function f32le(...values: number[]): number[] {
  const b = new Uint8Array(new Float32Array(values).buffer);
  return [...b]; // the test hosts are little-endian, as every Node platform is
}

/**
 * A file whose header is `headerText` padded with spaces to a multiple of 8 (unless `pad` is
 * false), followed by `data`. `declaredLength` overrides the length prefix.
 */
export function assemble(
  headerText: string,
  data: ArrayLike<number> = [],
  options: { pad?: boolean; declaredLength?: number | bigint } = {},
): Uint8Array {
  const header = [...new TextEncoder().encode(headerText)];
  if (options.pad ?? true) while (header.length % 8 !== 0) header.push(0x20);
  return new Uint8Array([...u64le(options.declaredLength ?? header.length), ...header, ...Array.from(data)]);
}

/** A header entry's JSON text. */
export function entry(name: string, dtype: string, shape: number[], begin: number, end: number): string {
  return `${JSON.stringify(name)}:{"dtype":"${dtype}","shape":[${shape.join(',')}],"data_offsets":[${begin},${end}]}`;
}
