/**
 * Patroni's parts of the cluster file: the `patroni` section (how Patroni is installed, read by the
 * patroni-install stage) and `timing` (the patroni stage's ttl, loop_wait and retry_timeout).
 */
import type {PatroniSource, TimingPreset} from '../source/core/cluster.ts';
import {isUserName} from '../source/core/values.ts';
import {defaultPatroni, timingPresets} from '../source/config/defaults.ts';
import {msg} from '../source/config/messages.ts';
import type {SectionReader} from './types.ts';

export const patroniSection: SectionReader = {
	field: 'patroni',
	read(r, {root}) {
		const section = r.section(root, 'patroni', '', ['source', 'user', 'version', 'index_url']);
		if (!section) return undefined;
		const source = r.oneOf<PatroniSource>(section, 'source', 'patroni', ['venv', 'package'], defaultPatroni.source);
		const user = r.string(section, 'user', 'patroni', defaultPatroni.user);
		if (user !== undefined && !isUserName(user)) r.errors.push(msg.badUser('patroni.user', user));
		let version: string | undefined = defaultPatroni.version;
		if (section.version !== undefined && section.version !== null) {
			const raw = String(section.version);
			version = raw === 'latest' || /^\d+\.\d+(\.\d+)?$/.test(raw) ? raw : undefined;
			if (version === undefined) r.errors.push(msg.badPatroniVersion('patroni.version', section.version));
		}

		const indexUrl = r.string(section, 'index_url', 'patroni', '');
		if (indexUrl && !/^https?:\/\/[^\s/]+/.test(indexUrl)) r.errors.push(msg.badUrl('patroni.index_url', indexUrl));
		if (source === undefined || user === undefined || version === undefined || indexUrl === undefined) return undefined;
		return {source, user, version, ...(indexUrl ? {indexUrl: indexUrl.replace(/\/+$/, '')} : {})};
	},
};

export const timingSection: SectionReader = {
	field: 'timing',
	read(r, {root}) {
		const section = r.section(root, 'timing', '', ['preset', 'ttl', 'loop_wait', 'retry_timeout']);
		if (!section) return undefined;
		const preset = r.oneOf<TimingPreset>(section, 'preset', 'timing', ['default', 'fast'], 'default');
		if (preset === undefined) return undefined;
		const base = timingPresets[preset];
		// Patroni's own lower bounds (its config validator rejects smaller values).
		const ttl = r.integer(section, 'ttl', 'timing', base.ttl, 1);
		const loopWait = r.integer(section, 'loop_wait', 'timing', base.loopWait, 1);
		const retryTimeout = r.integer(section, 'retry_timeout', 'timing', base.retryTimeout, 1);
		if (ttl === undefined || loopWait === undefined || retryTimeout === undefined) return undefined;
		let ok = true;
		if (ttl < 20) {
			r.errors.push(msg.belowPatroniMin('timing.ttl', ttl, 20));
			ok = false;
		}

		if (retryTimeout < 3) {
			r.errors.push(msg.belowPatroniMin('timing.retry_timeout', retryTimeout, 3));
			ok = false;
		}

		if (loopWait + 2 * retryTimeout > ttl) {
			r.errors.push(msg.timingRule('timing', loopWait, retryTimeout, ttl));
			ok = false;
		}

		return ok ? {ttl, loopWait, retryTimeout} : undefined;
	},
};
