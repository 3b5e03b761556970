/**
 * A level pinhole camera looking down +Z: world X to the right, Y up (ground at Y = 0), Z away from
 * the viewer. A level camera puts the horizon (and the vanishing point of everything parallel to Z)
 * at the image row `horizon`; moving that row up or down stands in for tilting the camera without
 * making vertical edges converge. Everything is in metres, so sizes shrink with distance by themselves.
 */
export class Camera {
  constructor(
    readonly width: number,
    readonly height: number,
    /** Image row of the horizon (may lie outside the image). */
    readonly horizon: number,
    /** Image column of the vanishing point. */
    readonly vanishX: number,
    /** Focal length in pixels. */
    readonly focal: number,
    /** Eye height above the ground, metres. */
    readonly eyeHeight: number,
  ) {}

  /** Image column of world point (X, *, Z). */
  x(X: number, Z: number): number {
    return this.vanishX + (this.focal * X) / Z;
  }

  /** Image row of world point (*, Y, Z). */
  y(Y: number, Z: number): number {
    return this.horizon + (this.focal * (this.eyeHeight - Y)) / Z;
  }

  /** Pixels per metre at depth Z. */
  scale(Z: number): number {
    return this.focal / Z;
  }

  /** Depth at which the ground (Y = 0) meets image row y (Infinity at or above the horizon). */
  groundDepth(y: number): number {
    const below = y - this.horizon;
    return below > 0 ? (this.focal * this.eyeHeight) / below : Infinity;
  }
}
