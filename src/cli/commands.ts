/** Every `langseg` command, in the order `langseg help` lists them. Add a command: one file, one line here. */
import { ablateCommand } from './ablate.js';
import { benchCommand } from './bench.js';
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { describeCommand } from './describe.js';
import { evalCommand } from './evaluate.js';
import { exportCommand } from './export.js';
import { infoCommand } from './info.js';
import { segmentCommand } from './segment.js';
import { trainCommand } from './train.js';
import { webCommand } from './web.js';

export const COMMANDS: readonly Command[] = [demoCommand, trainCommand, evalCommand, segmentCommand, webCommand, exportCommand, ablateCommand, describeCommand, benchCommand, infoCommand];
