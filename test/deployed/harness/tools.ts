import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from '../../../lib/local/child-processes';

/**
 * What the deployed-path test runs the artifact with, pinned, and installed from the public
 * registries on first use into the user's cache (not the checkout: a clean clone reuses them):
 * - moto server (PyPI), which takes the rendered CloudFormation template and serves the AWS APIs,
 *   and cfn-lint beside it, AWS's linter of CloudFormation templates;
 * - AWS's Lambda Runtime Interface Emulator (the Go module proxy), the Runtime API as Lambda serves it;
 * - Node 24, the `nodejs24.x` runtime's Node (the npm registry's node-linux-<arch> package), and
 *   `aws-lambda-ric`, the Node.js runtime interface client of AWS's own images, whose native part
 *   builds here with cmake and g++ (nothing downloaded at build).
 */
export const TOOL_VERSIONS = {
  moto: '5.2.6',
  cfnLint: '1.58.0',
  rie: 'v0.0.0-20261030222936-bef5c4ba774d',
  node: '24.22.3',
  ric: '4.0.2',
} as const;

export interface DeployedTools {
  motoServer: string;
  /** AWS's CloudFormation linter (installed beside moto). */
  cfnLint: string;
  rie: string;
  /** Node 24, the runtime's. */
  node: string;
  /** aws-lambda-ric's entry, run by `node` as the function's bootstrap. */
  ric: string;
}

export class MissingToolError extends Error {}

export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME?.trim() || path.join(os.homedir(), '.cache');
  return path.join(cache, 'spawn-queue', 'deployed-tools');
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function need(command: string, args: string[], install: string): Promise<void> {
  const ok = await runCommand(command, args, { cwd: os.tmpdir() }).then(
    (r) => r.code === 0,
    () => false,
  );
  if (!ok) throw new MissingToolError(`the deployed-path test needs ${install}`);
}

/** Runs one install step; on failure one line naming the step and the last of its output. */
async function step(
  what: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
) {
  const { code, output } = await runCommand(command, args, options);
  if (code !== 0) {
    const tail = output.trim().split('\n').slice(-3).join(' | ');
    throw new MissingToolError(`could not install ${what}: ${tail.slice(0, 400)}`);
  }
}

/** Each tool in a directory named by its version, marked complete only once its install ended well. */
async function installOnce(dir: string, install: () => Promise<void>): Promise<void> {
  const done = path.join(dir, '.installed');
  if (await exists(done)) return;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await install();
  await writeFile(done, new Date().toISOString());
}

async function installMoto(root: string): Promise<string> {
  const dir = path.join(root, `moto-${TOOL_VERSIONS.moto}-cfn-lint-${TOOL_VERSIONS.cfnLint}`);
  await installOnce(dir, async () => {
    await need(
      'python3',
      ['-c', 'import venv, ensurepip'],
      'Python 3 with venv (apt-get install python3 python3-venv)',
    );
    await step('moto', 'python3', ['-m', 'venv', dir], { cwd: dir });
    await step(
      'moto',
      path.join(dir, 'bin', 'pip'),
      ['install', '--quiet', `moto[server]==${TOOL_VERSIONS.moto}`, `cfn-lint==${TOOL_VERSIONS.cfnLint}`],
      {
        cwd: dir,
      },
    );
  });
  return path.join(dir, 'bin', 'moto_server');
}

async function installRie(root: string): Promise<string> {
  const dir = path.join(root, `rie-${TOOL_VERSIONS.rie}`);
  await installOnce(dir, async () => {
    await need(
      'go',
      ['version'],
      'Go 1.22 or later, to build the Lambda Runtime Interface Emulator (https://go.dev/dl/)',
    );
    await step(
      'the Lambda Runtime Interface Emulator',
      'go',
      [
        'install',
        `github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@${TOOL_VERSIONS.rie}`,
      ],
      { cwd: dir, env: { ...process.env, GOBIN: dir, GOFLAGS: '-mod=mod' } },
    );
  });
  return path.join(dir, 'aws-lambda-rie');
}

async function installRuntime(root: string): Promise<{ node: string; ric: string }> {
  const dir = path.join(root, `node-${TOOL_VERSIONS.node}-ric-${TOOL_VERSIONS.ric}`);
  const nodePackage = `node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`;
  const bin = path.join(dir, 'node_modules', nodePackage, 'bin');
  await installOnce(dir, async () => {
    await need('cmake', ['--version'], 'cmake, to build aws-lambda-ric (apt-get install cmake)');
    await need('g++', ['--version'], 'g++ and make, to build aws-lambda-ric (apt-get install g++ make)');
    const npm = ['install', '--prefix', dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund'];
    await step('Node 24', 'npm', [...npm, `${nodePackage}@${TOOL_VERSIONS.node}`], { cwd: dir });
    // Built by Node 24 (its headers, its npm scripts): the runtime client says it needs Node 22 or later.
    await step(
      'aws-lambda-ric',
      'npm',
      [...npm, `aws-lambda-ric@${TOOL_VERSIONS.ric}`, `${nodePackage}@${TOOL_VERSIONS.node}`],
      {
        cwd: dir,
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      },
    );
  });
  return { node: path.join(bin, 'node'), ric: path.join(dir, 'node_modules', 'aws-lambda-ric', 'index.mjs') };
}

/** The tools, installed (in parallel) if this machine has not got them yet. */
export async function ensureDeployedTools(): Promise<DeployedTools> {
  const root = toolsDir();
  await mkdir(root, { recursive: true });
  const [motoServer, rie, runtime] = await Promise.all([
    installMoto(root),
    installRie(root),
    installRuntime(root),
  ]);
  return { motoServer, cfnLint: path.join(path.dirname(motoServer), 'cfn-lint'), rie, ...runtime };
}
