import test from 'ava';
import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {hostEnv} from '../../source/host/platform.ts';
import {findVBoxManage, normalizeMac, parseMachineReadable, parseVmList, vmInfo} from '../../source/host/vbox.ts';
import type {ExecOptions, ExecResult, Remote} from '../../source/core/remote.ts';
import {createVirtualboxStage} from '../../steps/virtualbox.ts';
import {StepError} from '../../source/core/step.ts';
import {cluster} from '../fixtures/host/cluster.ts';
import {fakeVBoxManage, goodVmInfo, listVmsFixture, vmVariant, type FakeVm} from '../fixtures/host/fake-vbox.ts';
import {harness, runStep} from '../fixtures/host/run-steps.ts';

const uuids = {
	node1: '4f1c2a8e-7d3b-4c55-9a61-0b2d9e3f5a11',
	node2: '9a7e0c44-1b2f-4e8d-8c3a-6f5d4b2a1c22',
	node3: '6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c77',
	clone: 'c3d9b1f0-2e4a-4b6c-8d7e-9f0a1b2c3d33',
	windows: '0e8f7d6c-5b4a-4392-8170-6f5e4d3c2b44',
};

async function tempRoot(): Promise<string> {
	return mkdtemp(path.join(os.tmpdir(), 'pgha-vbox-'));
}

/** A node connection that only answers the MAC query. */
function macRemote(name: string, output: string): Remote & {asked: string[]} {
	const asked: string[] = [];
	return {
		name,
		host: name,
		asked,
		async exec(command: string, _options?: ExecOptions): Promise<ExecResult> {
			asked.push(command);
			return {code: 0, stdout: output, stderr: ''};
		},
		async upload() {},
		close() {},
	};
}

async function goodCourseVms(): Promise<FakeVm[]> {
	return [
		{name: 'pg-node-1', uuid: uuids.node1, info: await goodVmInfo()},
		await vmVariant('pg-node-2', uuids.node2, '080027D4E5F6'),
		await vmVariant('pg-node-3', uuids.node3, '0800270A0B0C'),
	];
}

function linuxStage(binDir: string) {
	return createVirtualboxStage({host: {platform: 'linux', env: {PATH: binDir}}});
}

test('list vms: names (Cyrillic too) and UUIDs; inaccessible VMs are skipped', async t => {
	const vms = parseVmList(await listVmsFixture());
	t.deepEqual(
		vms.map(vm => vm.name),
		['pg-node-1', 'pg-node-2', 'Ubuntu 24.04 (клон)', 'Windows 11'],
	);
	t.is(vms[2]!.uuid, uuids.clone);
});

test('showvminfo --machinereadable (VirtualBox 7): the settings the course needs', async t => {
	for (const text of [await goodVmInfo(), (await goodVmInfo()).replace(/\n/g, '\r\n')]) {
		const values = parseMachineReadable(text);
		t.is(values.get('memory'), '2048');
		t.is(values.get('cpus'), '2');
		t.is(values.get('VMState'), 'running');
		t.is(values.get('VMStateChangeTime'), '2026-11-20T09:12:44.123000000', 'VMState is not confused with VMStateChangeTime');
		t.is(values.get('nic1'), 'bridged');
		t.is(values.get('bridgeadapter1'), 'Intel(R) Wi-Fi 6 AX201 160MHz');
		t.is(values.get('CfgFile'), 'C:\\Users\\Максим\\VirtualBox VMs\\pg-node-1\\pg-node-1.vbox');
		t.is(values.get('BIOS NVRAM File'), 'C:\\Users\\Максим\\VirtualBox VMs\\pg-node-1\\pg-node-1.nvram');
		t.is(values.get('SATA-0-0'), 'C:\\Users\\Максим\\VirtualBox VMs\\pg-node-1\\pg-node-1.vdi');
		t.is(values.get('VideoMode'), '1280,800,32');
		t.false(values.has('Encryption:     disabled'));
		const info = vmInfo(values, {name: 'x', uuid: 'y'});
		t.deepEqual(info, {
			name: 'pg-node-1',
			uuid: uuids.node1,
			state: 'running',
			memoryMb: 2048,
			cpus: 2,
			nics: [
				{index: 1, attachment: 'bridged', mac: '080027A1B2C3', bridgeAdapter: 'Intel(R) Wi-Fi 6 AX201 160MHz', cableConnected: true},
				...[2, 3, 4, 5, 6, 7, 8].map(index => ({index, attachment: 'none', mac: undefined, bridgeAdapter: undefined, cableConnected: undefined})),
			],
		});
	}
});

test('MACs compare in any notation', t => {
	t.is(normalizeMac('08:00:27:a1:b2:c3'), '080027A1B2C3');
	t.is(normalizeMac('08-00-27-A1-B2-C3'), '080027A1B2C3');
	t.is(normalizeMac('00:00:00:00:00:00'), undefined);
	t.is(normalizeMac('garbage'), undefined);
});

test('VBoxManage on Windows: PATH, then VBOX_MSI_INSTALL_PATH, then Program Files', t => {
	const present = new Set<string>();
	const exists = (file: string) => present.has(file);
	const host = hostEnv({
		platform: 'win32',
		env: {Path: 'C:\\Windows\\system32', VBOX_MSI_INSTALL_PATH: 'D:\\Apps\\VirtualBox\\', ProgramFiles: 'C:\\Program Files'},
	});
	t.is(findVBoxManage(host, exists), undefined);
	present.add('C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe');
	t.is(findVBoxManage(host, exists), 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe');
	present.add('D:\\Apps\\VirtualBox\\VBoxManage.exe');
	t.is(findVBoxManage(host, exists), 'D:\\Apps\\VirtualBox\\VBoxManage.exe');
	present.add('C:\\Windows\\system32\\VBoxManage.exe');
	t.is(findVBoxManage(host, exists), 'C:\\Windows\\system32\\VBoxManage.exe');
});

test('course VMs set up right: the stage passes, names every VM, and only reads', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const fake = await fakeVBoxManage(root, await goodCourseVms());
	const h = harness(cluster());
	const [step] = linuxStage(fake.binDir).steps;
	t.false(await runStep(step!, h.context()));
	t.true(h.lines.some(line => line.includes('pg-node-2: VM "pg-node-2": 2048 MB, 2 CPU, nic1 bridged (Intel(R) Wi-Fi 6 AX201 160MHz), running')));
	const calls = await fake.calls();
	t.true(calls.length > 0);
	t.true(calls.every(call => call === 'list vms' || /^showvminfo [0-9a-f-]{36} --machinereadable$/.test(call)));
});

test('every failing check has its own sentence with the VirtualBox menu, in both languages; MAC match for a renamed clone', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const vms = [
		{name: 'pg-node-1', uuid: uuids.node1, info: await goodVmInfo()},
		await vmVariant('pg-node-2', uuids.node2, '080027D4E5F6', {memory: '1024', cpus: '1', nic1: '"nat"', natnet1: '"nat"'}),
		await vmVariant('Ubuntu 24.04 (клон)', uuids.clone, '080027C3D9B1', {VMState: '"poweroff"', cableconnected1: '"off"'}),
		await vmVariant('Windows 11', uuids.windows, '080027FFEEDD', {memory: '512'}),
	];
	const fake = await fakeVBoxManage(root, vms);
	const remotes = new Map([
		['pg-node-1', macRemote('pg-node-1', '08:00:27:a1:b2:c3\n')],
		['pg-node-2', macRemote('pg-node-2', '08:00:27:d4:e5:f6\n')],
		['pg-node-3', macRemote('pg-node-3', '00:00:00:00:00:00\n08:00:27:c3:d9:b1\n')],
	]);
	const h = harness(cluster(), remotes);
	const [step] = linuxStage(fake.binDir).steps;
	t.false(await step!.check(h.context()));
	const error = await t.throwsAsync(runStep(step!, h.context()), {instanceOf: StepError});
	const en = error!.message.split('\n');
	const ru = (error as StepError).say('ru').split('\n');
	t.is(en.length, 5);
	t.is(ru.length, 5);
	t.regex(en[0]!, /^VM "pg-node-2" has 1024 MB of memory.*Settings > System > Motherboard > Base Memory to 2048 MB\.$/);
	t.regex(en[1]!, /^VM "pg-node-2" has 1 CPU.*Settings > System > Processor > Processor\(s\) to 2\.$/);
	t.regex(en[2]!, /^Adapter 1 of VM "pg-node-2" is attached to NAT.*Attached to: Bridged Adapter/);
	t.regex(en[3]!, /^Adapter 1 of VM "Ubuntu 24.04 \(клон\)" has its cable unplugged.*Cable Connected\.$/);
	t.regex(en[4]!, /^VM "Ubuntu 24.04 \(клон\)" is not running \(state poweroff\).*click Start\.$/);
	t.regex(ru[0]!, /Материнская плата > Основная память: 2048 МБ/);
	t.regex(ru[1]!, /Процессор > Процессор\(ы\): 2/);
	t.regex(ru[2]!, /«NAT».*Тип подключения: Сетевой мост/);
	t.regex(ru[3]!, /Кабель подключен/);
	t.regex(ru[4]!, /нажмите «Запустить»/);
	t.false(en.join('\n').includes('Windows 11'), 'VMs of no node are not judged');
	t.true(h.lines.some(line => line.includes('pg-node-3: VM "Ubuntu 24.04 (клон)" (found by MAC address)')));
	t.deepEqual(remotes.get('pg-node-1')!.asked, [], 'nodes matched by name are not asked for MACs');
	t.deepEqual(remotes.get('pg-node-3')!.asked[0], 'cat /sys/class/net/*/address');
});

test('cloned VMs sharing a MAC address are caught', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const vms = await goodCourseVms();
	vms[2] = await vmVariant('pg-node-3', uuids.node3, '080027D4E5F6');
	const fake = await fakeVBoxManage(root, vms);
	const error = await t.throwsAsync(runStep(linuxStage(fake.binDir).steps[0]!, harness(cluster()).context()), {instanceOf: StepError});
	t.regex(error!.message, /^VMs "pg-node-2", "pg-node-3" share the MAC address 080027D4E5F6/);
	t.regex((error as StepError).say('ru'), /MAC-адрес/);
});

test('a node with no VM on this computer is logged, not failed', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const vms = (await goodCourseVms()).slice(0, 2);
	const fake = await fakeVBoxManage(root, vms);
	const h = harness(cluster());
	t.false(await runStep(linuxStage(fake.binDir).steps[0]!, h.context()));
	t.true(h.lines.some(line => line.startsWith('pg-node-3: no VirtualBox VM on this computer')));
});

test('without VBoxManage the stage says so and passes', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	await mkdir(path.join(root, 'empty'));
	const h = harness(cluster());
	t.false(await runStep(linuxStage(path.join(root, 'empty')).steps[0]!, h.context()));
	t.deepEqual(h.lines, ['VBoxManage not found: the VirtualBox check is skipped. / VBoxManage не найден: проверка VirtualBox пропущена.']);
});

test('a VBoxManage that fails is reported and does not block the run', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const fake = await fakeVBoxManage(root, await goodCourseVms(), {failList: true});
	const h = harness(cluster());
	await runStep(linuxStage(fake.binDir).steps[0]!, h.context());
	t.true(h.lines.some(line => line.includes('Failed to create the VirtualBox object')));
});

test('Windows layout: VBoxManage.exe under %ProgramFiles%\\Oracle\\VirtualBox is found and used', async t => {
	const root = await tempRoot();
	t.teardown(async () => rm(root, {recursive: true, force: true}));
	const programFiles = path.join(root, 'Program Files');
	const fake = await fakeVBoxManage(root, await goodCourseVms(), {
		binDir: path.join(programFiles, 'Oracle', 'VirtualBox'),
		fileName: 'VBoxManage.exe',
	});
	const stage = createVirtualboxStage({host: {platform: 'win32', env: {Path: path.join(root, 'nothing'), ProgramFiles: programFiles}, path: path.posix}});
	const h = harness(cluster());
	await runStep(stage.steps[0]!, h.context());
	t.is(h.lines.length, 3);
	t.true((await fake.calls()).includes('list vms'));
});

test('the VirtualBox texts exist in both languages', t => {
	const stage = createVirtualboxStage();
	for (const text of [stage.title, stage.explain, stage.differsFromGuide!, ...stage.steps.flatMap(step => [step.title, step.explain])]) {
		t.regex(text.ru, /[а-яё]/i);
		t.not(text.ru, text.en);
	}
});

test('disabled adapter, paused and saved VMs get their own fixes', async t => {
	const {checkVm} = await import('../../source/host/vbox-checks.ts');
	const base = vmInfo(parseMachineReadable(await goodVmInfo()), {name: 'x', uuid: 'y'});
	t.deepEqual(checkVm('pg-node-1', base), []);
	const disabled = checkVm('pg-node-1', {...base, nics: base.nics.map(nic => (nic.index === 1 ? {index: 1, attachment: 'none'} : nic))});
	t.is(disabled.length, 1);
	t.regex(disabled[0]!.text.en, /Enable Network Adapter/);
	t.regex(disabled[0]!.text.ru, /Включить сетевой адаптер/);
	t.regex(checkVm('pg-node-1', {...base, state: 'paused'})[0]!.text.en, /Machine > Pause/);
	t.regex(checkVm('pg-node-1', {...base, state: 'saved'})[0]!.text.ru, /сохранена/);
	t.regex(checkVm('pg-node-1', {...base, state: 'aborted-saved'})[0]!.text.en, /saved but not running/);
});
