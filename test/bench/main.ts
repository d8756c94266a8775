// The bench page: run.ts loads it in headless Chromium and calls window.bench.run(name) per scenario.
import type { BenchApi, ScenarioOutput } from './result.ts';
import { bootScenario } from './scenarios/boot.ts';
import { bulkScenario } from './scenarios/bulk.ts';
import { commandScenario } from './scenarios/command.ts';
import { durabilityScenario } from './scenarios/durability.ts';
import { rebuildScenario } from './scenarios/rebuild.ts';
import { timeTravelScenario } from './scenarios/time-travel.ts';
import { importScenario } from './scenarios/import.ts';
import { vsDexieScenario } from './scenarios/vs-dexie.ts';
import { diagnoseBulk } from './diagnose/bulk.ts';
import { diagnoseRebuild } from './diagnose/rebuild.ts';
import { diagnoseCommand, diagnoseExecute, diagnoseSameWork } from './diagnose/command.ts';

const scenarios: Record<string, () => Promise<ScenarioOutput>> = {
  command: commandScenario,
  'command-vs-dexie': vsDexieScenario,
  durability: durabilityScenario,
  bulk: bulkScenario,
  boot: bootScenario,
  rebuild: rebuildScenario,
  'time-travel': timeTravelScenario,
  import: importScenario,
};

/** Not figures but explanations: where the time goes (npm run bench -- --diagnose). */
const diagnostics: Record<string, () => Promise<ScenarioOutput>> = {
  'diagnose-command': diagnoseCommand,
  'diagnose-bulk': diagnoseBulk,
  'diagnose-rebuild': diagnoseRebuild,
};

/** One path alone, to profile it (npm run bench -- --only=profile-execute,profile-same-work --profile). */
const profiles: Record<string, () => Promise<ScenarioOutput>> = {
  'profile-execute': diagnoseExecute,
  'profile-same-work': diagnoseSameWork,
};

const api: BenchApi = {
  scenarios: Object.keys(scenarios),
  diagnostics: Object.keys(diagnostics),
  info: () => ({ userAgent: navigator.userAgent, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency }),
  run(name) {
    const scenario = scenarios[name] ?? diagnostics[name] ?? profiles[name];
    if (!scenario) throw new Error(`no scenario ${name}`);
    return scenario();
  },
};

(window as unknown as { bench: BenchApi }).bench = api;
document.body.dataset.ready = 'true';
