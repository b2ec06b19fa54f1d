/**
 * Stage 2, user: the course's admin login account (`patroni` by default) with a home directory,
 * a generated password and sudo membership. The password travels on stdin only.
 */
import type {NodeConfig} from '../source/core/cluster.ts';
import type {Action, Stage, Step, StepContext} from './types.ts';
import {execute, nodeError, parseKeyValues, probe, runActions, runAction, sh, shq, text} from './commands.ts';

/**
 * pgha never changes the password of the account it logs in with: the running session and its sudo
 * depend on it. Any other admin account gets the generated password from the secrets file.
 */
export function managesPassword(user: string, node: NodeConfig): boolean {
	return user !== node.sshUser;
}

/** Prints match / differ / none for the account's password against the line on stdin (libc crypt). */
const passwordProbe = [
	'my $u = shift; my $p = <STDIN>; $p = "" unless defined $p; chomp $p;',
	'my $shadow = shift || "/etc/shadow";',
	'open(my $f, "<", $shadow) or do { print "unknown\\n"; exit 0 };',
	'while (my $l = <$f>) { my ($n, $h) = split /:/, $l; next unless $n eq $u;',
	'  if (!defined $h || $h eq "" || $h =~ /^[!*]/) { print "none\\n" }',
	'  else { my $c = crypt($p, $h); print((defined $c && $c eq $h) ? "match\\n" : "differ\\n") }',
	'  exit 0 }',
	'print "none\\n";',
].join(' ');

export function userStateCommand(user: string, withPassword: boolean, shadowFile = '/etc/shadow'): string {
	const u = shq(user);
	return sh([
		`u=${u}`,
		'if ! getent passwd "$u" >/dev/null; then echo exists=no; exit 0; fi',
		'echo exists=yes',
		'home=$(getent passwd "$u" | cut -d: -f6)',
		'echo "home=$home"',
		'if [ -n "$home" ] && [ -d "$home" ]; then echo home_dir=yes; else echo home_dir=no; fi',
		'if id -nG "$u" | tr " " "\\n" | grep -qx sudo; then echo sudo=yes; else echo sudo=no; fi',
		...withPassword ? [`echo "password=$(perl -e ${shq(passwordProbe)} "$u" ${shq(shadowFile)})"`] : [],
	].join('\n'));
}

export function createUserCommand(user: string): string {
	return sh([
		`u=${shq(user)}`,
		'id -u "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"',
		'home=$(getent passwd "$u" | cut -d: -f6); group=$(id -gn "$u")',
		'if [ ! -d "$home" ]; then install -d -m 0750 -o "$u" -g "$group" "$home" && cp -rT /etc/skel "$home" && chown -R "$u:$group" "$home"; fi',
		'usermod -aG sudo "$u"',
	].join('\n'));
}

/** chpasswd reads `user:password` on stdin; the password never appears in a command. */
export const chpasswdCommand = 'chpasswd';

function planUser(user: string, node: NodeConfig): Action[] {
	const actions: Action[] = [runAction(createUserCommand(user))];
	if (managesPassword(user, node)) actions.push(runAction(chpasswdCommand));
	return actions;
}

async function userReady(ctx: StepContext): Promise<boolean> {
	const user = ctx.cluster.patroni.user;
	const withPassword = managesPassword(user, ctx.node);
	const result = await probe(ctx, userStateCommand(user, withPassword), {
		sudo: true,
		...withPassword ? {stdin: `${ctx.secrets.adminUserPassword}\n`} : {},
	});
	const state = parseKeyValues(result.stdout);
	if (!withPassword && state.get('exists') === 'yes') ctx.log(`${ctx.node.name}: ${user} is the SSH login user; its password is left as it is`);
	return state.get('exists') === 'yes'
		&& state.get('home_dir') === 'yes'
		&& state.get('sudo') === 'yes'
		&& (!withPassword || state.get('password') === 'match');
}

const accountStep: Step = {
	id: 'user.account',
	title: text('Пользователь-администратор с sudo', 'Admin user with sudo'),
	explain: text(
		'Создаёт пользователя из pgha.yaml (patroni) с домашним каталогом и добавляет его в группу sudo: под ним вы заходите из VS Code. Пароль сгенерирован pgha и лежит в файле секретов; он передаётся chpasswd через stdin, а не в командной строке. Если pgha сам входит под этим пользователем, его пароль не меняется.',
		'Creates the user from pgha.yaml (patroni) with a home directory and adds it to the sudo group: it is the account you use from VS Code. pgha generated its password, kept in the secrets file; chpasswd gets it on stdin, never on a command line. If pgha itself logs in as this user, its password is left alone.'),
	scope: 'each-node',
	check: userReady,
	plan: ctx => planUser(ctx.cluster.patroni.user, ctx.node),
	async apply(ctx) {
		const user = ctx.cluster.patroni.user;
		const [create, password] = planUser(user, ctx.node);
		await runActions(ctx, create ? [create] : []);
		if (password?.kind === 'run') {
			await execute(ctx, password.command, {sudo: true, stdin: `${user}:${ctx.secrets.adminUserPassword}\n`});
		}
	},
	async verify(ctx) {
		if (!await userReady(ctx)) {
			throw nodeError(ctx.node.name,
				text(`пользователь ${ctx.cluster.patroni.user} не создан как нужно (домашний каталог, группа sudo, пароль).`,
					`user ${ctx.cluster.patroni.user} is not set up as planned (home directory, sudo group, password).`),
				text('Посмотрите журнал шага и /var/log/auth.log на узле.', 'See the step log and /var/log/auth.log on the node.'));
		}
	},
};

export const userStage: Stage = {
	id: 'user',
	title: text('Пользователь patroni', 'The patroni user'),
	explain: text(
		'Как в методичке: отдельный пользователь с правами sudo на каждом узле, чтобы работать не из-под учётной записи установки.',
		'As in the guide: a separate user with sudo rights on every node, so you do not work as the installation account.'),
	differsFromGuide: text(
		'Пароль не «patroni», а сгенерированный; сервисы при этом работают от системного пользователя postgres, а не от этого.',
		'The password is generated instead of "patroni"; the services run as the postgres system user, not as this one.'),
	steps: [accountStep],
	needs: {
		secrets: ['adminUserPassword'],
		section: {
			keys: ['patroni.user'],
			doc: text('patroni.user — имя пользователя для входа на узлы (по умолчанию patroni).', 'patroni.user is the login user made on the nodes (patroni by default).'),
		},
	},
};
