/**
 * What a fault should cost, said before it runs: the write outage as a range, split into the phases
 * that make it up, each from the cluster's own settings. The formulas follow Patroni's documented
 * timing (the leader renews its key every loop_wait; a key not renewed lives ttl; replicas watch the
 * key in etcd and race as soon as it is gone) and HAProxy's checks (rise good answers, inter apart).
 * Their constants were set against the outages the test stage measured in the lab
 * (test/bench/soak-results.md, readme): graceful 4–8 s, kill 25–35 s, power-off 27–39 s, cut 28–40 s
 * on the default timing, kill 18.5 s on `fast`.
 *
 * It is information only: the pass/fail bounds stay those of bounds.ts.
 */
import type {Lang, Text} from '../core/text.ts';
import type {FaultKind, PhaseId, TimingSettings} from './model.ts';

/** A switchover is predicted like a fault: the same phases, started by a request. */
export type PredictedKind = 'switchover' | FaultKind;
export type {PhaseId} from './model.ts';

export interface PredictedPhase {
	readonly id: PhaseId;
	readonly minMs: number;
	readonly maxMs: number;
	/** Its part of the expected outage (middle of its range over the middle of the whole), 0..1. */
	readonly share: number;
	readonly title: Text;
	/** One sentence a beginner follows, with the settings' own values in it. */
	readonly explain: Text;
}

export interface Prediction {
	readonly kind: PredictedKind;
	readonly minMs: number;
	readonly maxMs: number;
	readonly phases: readonly PredictedPhase[];
}

/** A planned stop: PostgreSQL's shutdown checkpoint, then Patroni deletes the leader key itself. */
const stepDownMs = [500, 3000] as const;
/** The race on the replicas (asking each other's REST API who is freshest), taking the key, promote. */
const electionMs = [500, 3000] as const;
/** Questions to a node that is gone without a word wait out Patroni's 2 s connect timeout first. */
const unreachableExtraMs = [500, 2000] as const;
/**
 * When the lost node was also etcd's raft leader, the new etcd leader restarts every lease's
 * countdown (etcd does so on a leader change so no lease expires during the election).
 */
const etcdReelectionMs = 2000;
/** The probe writer retries every 50 ms; a new connection and the first commit. */
const clientMs = [0, 1000] as const;
// keepalived as templates/keepalived-conf.ts writes it: the HAProxy check every 1 s, fall 2; advert_int 1.
const keepalivedCheckMs = [1000, 2000] as const;
const vrrpSilenceMs = [2000, 4000] as const;
const vipMoveMs = [200, 1500] as const;
/** A connection to a node that went dark is given up by TCP keepalives (the writer's: 1 s idle, 3 × 1 s). */
const deadConnectionMs = [0, 1500] as const;

function sec(ms: number): string {
	const value = ms / 1000;
	return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** "20–30 s" / "20–30 с" */
export function rangeText(minMs: number, maxMs: number, lang: Lang): string {
	return `${sec(minMs)}–${sec(maxMs)} ${lang === 'ru' ? 'с' : 's'}`;
}

type Draft = Omit<PredictedPhase, 'share'>;

function phase(id: PhaseId, [minMs, maxMs]: readonly [number, number], title: Text, explain: Text): Draft {
	return {id, minMs, maxMs, title, explain};
}

const titles = {
	keyExpiry: {ru: 'истечение ключа лидера', en: 'leader key expiry'},
	stepDown: {ru: 'лидер уступает роль', en: 'the leader steps down'},
	election: {ru: 'выборы и повышение', en: 'election and promotion'},
	haproxy: {ru: 'проверки HAProxy', en: 'HAProxy checks'},
	client: {ru: 'переподключение клиента', en: 'client reconnect'},
	doorCheck: {ru: 'keepalived замечает отказ', en: 'keepalived notices'},
	vipMove: {ru: 'переезд плавающего адреса', en: 'the floating address moves'},
	syncStandby: {ru: 'новая синхронная реплика', en: 'a new synchronous standby'},
} as const;

function routingPhase(s: TimingSettings): Draft {
	// The first check after the promotion comes within one inter, then rise − 1 more must agree.
	const range = [(s.rise - 1) * s.interMs, s.rise * s.interMs] as const;
	return phase('routing', range, titles.haproxy, {
		ru: `HAProxy спрашивает /primary у каждого узла каждые inter = ${s.inter} и пускает запись к новому лидеру после rise = ${s.rise} удачных ответов подряд: ${rangeText(range[0], range[1], 'ru')}.`,
		en: `HAProxy asks every node's /primary each inter = ${s.inter} and sends writes to the new leader after rise = ${s.rise} good answers in a row: ${rangeText(range[0], range[1], 'en')}.`,
	});
}

const clientPhase = phase('client', clientMs, titles.client, {
	ru: 'Клиент пробует подключиться снова каждые 50 мс; новое подключение и первый COMMIT занимают меньше секунды.',
	en: 'The client tries again every 50 ms; a new connection and its first COMMIT take under a second.',
});

function leaderPhases(s: TimingSettings, kind: 'switchover' | 'graceful' | 'kill' | 'poweroff' | 'cut'): Draft[] {
	const planned = kind === 'switchover' || kind === 'graceful';
	const silent = kind === 'poweroff' || kind === 'cut';
	const detection = planned
		? phase('detection', stepDownMs, titles.stepDown, kind === 'switchover'
			? {ru: 'Patroni переводит лидера в реплики (PostgreSQL записывает последнюю контрольную точку) и сам отдаёт ключ лидера — ttl ждать не нужно.',
				en: 'Patroni turns the leader into a replica (PostgreSQL writes a last checkpoint) and gives the leader key back itself: nobody waits for ttl.'}
			: {ru: 'systemctl stop patroni останавливает PostgreSQL (последняя контрольная точка), и Patroni сам отдаёт ключ лидера — ttl ждать не нужно.',
				en: 'systemctl stop patroni stops PostgreSQL (a last checkpoint) and Patroni gives the leader key back itself: nobody waits for ttl.'})
		: phase('detection', [(s.ttl - s.loopWait) * 1000, s.ttl * 1000 + (silent ? etcdReelectionMs : 0)], titles.keyExpiry, {
			ru: `Потерянный лидер больше не продлевает свой ключ в etcd (продлевал каждые loop_wait = ${s.loopWait} с), и ключ доживает остаток ttl = ${s.ttl} с: от ${s.ttl - s.loopWait} до ${s.ttl} с${silent ? '; если на узле был и лидер etcd, etcd сначала выбирает нового и запускает отсчёт заново (до 2 с сверху)' : ''}.`,
			en: `The lost leader no longer renews its key in etcd (it did every loop_wait = ${s.loopWait} s), so the key lives out the rest of ttl = ${s.ttl} s: ${s.ttl - s.loopWait} to ${s.ttl} s${silent ? '; if the node also led etcd, etcd first elects another leader and starts the countdown again (up to 2 s more)' : ''}.`,
		});
	const election = phase('election', silent ? [electionMs[0] + unreachableExtraMs[0], electionMs[1] + unreachableExtraMs[1]] : electionMs, titles.election, {
		ru: `Реплики следят за ключом в etcd и начинают выборы, как только он исчез: самая свежая берёт ключ, и её PostgreSQL выходит из восстановления (promote)${silent ? '; вопросы к пропавшему узлу сначала ждут 2 с тайм-аута подключения' : ''}.`,
		en: `The replicas watch the key in etcd and start the race as soon as it is gone: the freshest takes the key and its PostgreSQL leaves recovery (promote)${silent ? '; questions to the vanished node first wait out a 2 s connection timeout' : ''}.`,
	});
	return [detection, election, routingPhase(s), clientPhase];
}

function entryPhases(s: TimingSettings, kind: 'entry-haproxy' | 'entry-poweroff'): Draft[] {
	const phases: Draft[] = kind === 'entry-haproxy'
		? [phase('detection', keepalivedCheckMs, titles.doorCheck, {
			ru: 'Проверка keepalived спрашивает HAProxy раз в секунду и признаёт его мёртвым после 2 неудач подряд.',
			en: 'keepalived\'s check asks HAProxy once a second and calls it dead after 2 failures in a row.',
		})]
		: [phase('detection', vrrpSilenceMs, titles.doorCheck, {
			ru: 'Остальные узлы перестают слышать объявления VRRP владельца адреса (раз в секунду) и забирают адрес, пропустив три.',
			en: 'The other nodes stop hearing the address holder\'s VRRP announcements (one a second) and take over after missing three.',
		})];
	if (kind === 'entry-poweroff' && s.synchronousMode) {
		// Only when the lost node was the synchronous standby; otherwise this phase costs nothing.
		phases.push(phase('election', [0, 2 * s.loopWait * 1000], titles.syncStandby, {
			ru: `С synchronous_mode, если выключен синхронный резерв, COMMIT ждёт, пока Patroni назначит другой: до двух циклов loop_wait = ${s.loopWait} с.`,
			en: `With synchronous_mode, if the synchronous standby went off, COMMIT waits until Patroni names another: up to two loops of loop_wait = ${s.loopWait} s.`,
		}));
	}

	phases.push(phase('routing', vipMoveMs, titles.vipMove, {
		ru: 'keepalived другого узла поднимает плавающий адрес у себя и сообщает о нём в сеть (gratuitous ARP).',
		en: 'Another node\'s keepalived takes the floating address and tells the network where it is now (gratuitous ARP).',
	}));
	phases.push(kind === 'entry-haproxy' ? clientPhase : phase('client', deadConnectionMs, titles.client, {
		ru: 'Открытое подключение к выключенному узлу клиент бросает по TCP keepalive (1 с тишины, 3 пробы раз в секунду) и подключается к новому владельцу адреса.',
		en: 'The client gives up its open connection to the dead node on TCP keepalives (1 s idle, 3 probes a second apart) and connects to the new holder.',
	}));
	return phases;
}

/**
 * The expected write outage of one fault on this cluster, or undefined where it does not apply (a
 * front-door fault without a floating address).
 */
export function predictOutage(settings: TimingSettings, kind: PredictedKind, options: {vip: boolean}): Prediction | undefined {
	if ((kind === 'entry-haproxy' || kind === 'entry-poweroff') && !options.vip) return undefined;
	const drafts = kind === 'entry-haproxy' || kind === 'entry-poweroff' ? entryPhases(settings, kind) : leaderPhases(settings, kind);
	const middle = (draft: {minMs: number; maxMs: number}) => (draft.minMs + draft.maxMs) / 2;
	const total = drafts.reduce((sum, draft) => sum + middle(draft), 0);
	return {
		kind,
		minMs: drafts.reduce((sum, draft) => sum + draft.minMs, 0),
		maxMs: drafts.reduce((sum, draft) => sum + draft.maxMs, 0),
		phases: drafts.map(draft => ({...draft, share: total > 0 ? middle(draft) / total : 0})),
	};
}

/** "predicted 23.5–40 s: leader key expiry 20–30 s (71 %), ..." for the line before a fault. */
export function predictionLine(prediction: Prediction, lang: Lang): string {
	const parts = prediction.phases.map(item => `${item.title[lang]} ${rangeText(item.minMs, item.maxMs, lang)} (${Math.round(item.share * 100)} %)`);
	return `${lang === 'ru' ? 'ожидаемый простой' : 'predicted outage'} ${rangeText(prediction.minMs, prediction.maxMs, lang)}: ${parts.join(', ')}`;
}

/** "predicted 22–35 s, measured 27.3 s" */
export function predictedVsMeasured(prediction: Prediction, measuredMs: number | null | undefined, lang: Lang): string {
	const measured = measuredMs === null || measuredMs === undefined ? '—' : `${(measuredMs / 1000).toFixed(1)} ${lang === 'ru' ? 'с' : 's'}`;
	return lang === 'ru'
		? `ожидалось ${rangeText(prediction.minMs, prediction.maxMs, lang)}, измерено ${measured}`
		: `predicted ${rangeText(prediction.minMs, prediction.maxMs, lang)}, measured ${measured}`;
}

/** Where the measured figure fell: inside the range, or which side of it (said, never judged). */
export function placeOf(prediction: Prediction, measuredMs: number): 'below' | 'within' | 'above' {
	return measuredMs < prediction.minMs ? 'below' : measuredMs > prediction.maxMs ? 'above' : 'within';
}
