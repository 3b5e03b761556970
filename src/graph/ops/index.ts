/** Every op family, registered on import; see op-registry.ts for the table itself. */
import './core.js';
import './attention.js';
import './conv.js';
import './norm.js';
import './language.js';
import './losses.js';
import './sampling.js';

export { getOp, opNames, defineOp } from '../op-registry.js';
export type { OpDef, OpAttrs } from '../op-registry.js';
