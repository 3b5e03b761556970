/** Every command's help: present, in a terminal's width, and with no template placeholder left unfilled. */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { SYNTHETIC_RECIPE } from '../../src/cli/recipe.js';

describe('langseg <command> --help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: starts with its usage and fills every placeholder', (name, command) => {
    expect(command.help.startsWith(`usage: langseg ${name}`)).toBe(true);
    expect(command.help).not.toMatch(/\$\{|\\\$/);
  });

  it('states the shared recipe the commands use', () => {
    const byName = Object.fromEntries(COMMANDS.map((c) => [c.name, c.help]));
    expect(byName.demo).toContain(`training steps (default ${SYNTHETIC_RECIPE.steps})`);
    expect(byName.ablate).toContain(`peak rate ${SYNTHETIC_RECIPE.lr}, class balance ${SYNTHETIC_RECIPE.classBalance}`);
    expect(byName.train).toContain(`peak learning rate (default ${SYNTHETIC_RECIPE.lr};`);
  });
});
