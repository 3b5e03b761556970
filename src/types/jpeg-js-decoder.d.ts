// jpeg-js ships types for its index only, which also pulls in the encoder (it calls Node's Buffer). The
// library imports the decoder alone, so the browser bundle stays free of Buffer; same API as index's decode.
declare module 'jpeg-js/lib/decoder.js' {
  interface JpegDecodeOptions {
    useTArray: true;
    colorTransform?: boolean;
    formatAsRGBA?: boolean;
    tolerantDecoding?: boolean;
    maxResolutionInMP?: number;
    maxMemoryUsageInMB?: number;
  }
  function decode(jpegData: Uint8Array | ArrayBuffer, opts: JpegDecodeOptions): { width: number; height: number; data: Uint8Array };
  export default decode;
}
