import test from 'ava';
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
