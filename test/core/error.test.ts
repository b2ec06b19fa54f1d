import test from 'ava';
import {withNodePrefix} from '../../source/engine/types.ts';
import {LocalizedError} from '../../source/core/error.ts';
import {StepError} from '../../source/core/step.ts';

test('a localized error says the problem and then what to do, in the language asked', t => {
	const error = new LocalizedError({ru: 'порт занят', en: 'the port is taken'}, {fix: {ru: 'Освободите его.', en: 'Free it.'}});
	t.is(error.say('ru'), 'порт занят. Освободите его.');
	t.is(error.message, 'the port is taken. Free it.');
});

test('the exit code follows the error\'s class: usage errors end with 2', t => {
	t.is(new LocalizedError({ru: 'нет флага', en: 'no flag'}, {exit: 'usage'}).exitCode, 2);
	t.is(new LocalizedError({ru: 'сбой', en: 'failure'}).exitCode, 1);
});

test('a step error with Russian and English text reads wholly in Russian for a Russian user', t => {
	const error = new StepError({ru: 'pg-node-1: etcd не отвечает.', en: 'pg-node-1: etcd does not answer.'}, {ru: 'Проверьте сеть.', en: 'Check the network.'});
	t.true(error instanceof LocalizedError);
	t.is(error.say('ru'), 'pg-node-1: etcd не отвечает. Проверьте сеть.');
});

test('a failure that already names its node is not prefixed with it again', t => {
	t.is(withNodePrefix('pg-node-2', 'pg-node-2 (192.168.0.31) did not answer within 20 s'), 'pg-node-2 (192.168.0.31) did not answer within 20 s');
	t.is(withNodePrefix('pg-node-2', 'pg-node-2: apt failed'), 'pg-node-2: apt failed');
	t.is(withNodePrefix('pg-node-2', 'apt failed'), 'pg-node-2: apt failed');
	t.is(withNodePrefix('pg-node-1', 'pg-node-10 (192.168.0.40) did not answer'), 'pg-node-1: pg-node-10 (192.168.0.40) did not answer');
});
