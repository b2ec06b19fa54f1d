/** What each test does and what its figure teaches, shared by the run screen and the report. */
import type {Text} from '../core/text.ts';

export interface TestText {
	readonly title: Text;
	readonly does: Text;
	readonly learn: Text;
}

export type TestKey = 'prepare' | 'replication' | 'routing' | 'switchover' | 'graceful' | 'kill' | 'poweroff' | 'cut'
	| 'entry-haproxy' | 'entry-poweroff' | 'failsafe' | 'dataSafety' | 'load' | 'report';

export const testTexts: Readonly<Record<TestKey, TestText>> = {
	prepare: {
		title: {ru: 'Подготовка к проверкам', en: 'Getting ready for the tests'},
		does: {
			ru: 'Кладёт на узел HAProxy пишущий зонд (маленькая программа на Python) и цикл pgbench, создаёт служебную базу pgha_test с чистыми таблицами и ждёт, пока кластер будет целым: один лидер, все реплики в streaming, HAProxy видит их всех.',
			en: 'Puts the probe writer (a small Python program) and the pgbench loop on the HAProxy node, creates the scratch database pgha_test with fresh tables and waits until the cluster is whole: one leader, every replica streaming, HAProxy seeing them all.',
		},
		learn: {
			ru: 'Все замеры делаются на одном узле и по одним часам, поэтому расхождение часов между ВМ не искажает цифры.',
			en: 'Every measurement is taken on one node by one clock, so clock differences between the VMs cannot distort the figures.',
		},
	},
	replication: {
		title: {ru: 'Репликация', en: 'Replication'},
		does: {
			ru: 'Пишет строку через порт записи HAProxy и ищет её на каждой реплике, подключаясь к ним напрямую; читает pg_stat_replication на лидере: состояние каждой реплики и отставание в байтах.',
			en: 'Writes a row through HAProxy\'s write port and looks for it on every replica, connecting to each directly; reads pg_stat_replication on the leader: each replica\'s state and its lag in bytes.',
		},
		learn: {
			ru: 'Потоковая репликация доставляет изменения за доли секунды; state = streaming и малое отставание означают, что реплика готова подменить лидера.',
			en: 'Streaming replication delivers changes within a fraction of a second; state = streaming and a small lag mean the replica is ready to take over from the leader.',
		},
	},
	routing: {
		title: {ru: 'Маршрутизация HAProxy', en: 'HAProxy routing'},
		does: {
			ru: 'Открывает 20 отдельных подключений через порт записи и 20 через порт чтения и спрашивает у каждого сервера его адрес и pg_is_in_recovery(); сверяет со страницей статистики HAProxy.',
			en: 'Opens 20 separate connections through the write port and 20 through the read port and asks each server for its address and pg_is_in_recovery(); compares with HAProxy\'s stats page.',
		},
		learn: {
			ru: 'Приложение знает только адрес HAProxy: куда попадёт подключение, решают проверки /primary и /replica REST API Patroni.',
			en: 'An application knows only HAProxy\'s address: where a connection lands is decided by the /primary and /replica checks of Patroni\'s REST API.',
		},
	},
	switchover: {
		title: {ru: 'Плановое переключение (switchover)', en: 'Planned switchover'},
		does: {
			ru: 'Пока зонд пишет строку каждые 50 мс, просит Patroni (POST /switchover с паролем REST API) передать роль лидера реплике; проверяет, что /primary и /replica поменялись местами и старый лидер стал репликой нового.',
			en: 'While the probe writes a row every 50 ms, asks Patroni (POST /switchover with the REST API password) to hand the leader role to a replica; checks that /primary and /replica swapped and the old leader became a replica of the new one.',
		},
		learn: {
			ru: 'Плановое переключение короткое: лидер сам отдаёт ключ. Почти весь перерыв — это время, за которое HAProxy убеждается в новом лидере (rise × inter).',
			en: 'A planned switchover is short: the leader hands its key over itself. Most of the gap is HAProxy making sure of the new leader (rise × inter).',
		},
	},
	graceful: {
		title: {ru: 'Отказ: остановка Patroni на лидере', en: 'Failure: Patroni stopped on the leader'},
		does: {
			ru: 'Пока зонд пишет, выполняет systemctl stop patroni на лидере, ждёт нового лидера, измеряет простой записи (последняя подтверждённая запись до — первая после), затем запускает Patroni обратно и ждёт, пока узел вернётся репликой и догонит лидера.',
			en: 'While the probe writes, runs systemctl stop patroni on the leader, waits for a new leader, measures the write outage (last acknowledged write before to first after), then starts Patroni again and waits until the node is back as a replica that has caught up.',
		},
		learn: {
			ru: 'Остановленный Patroni удаляет ключ лидера сам, поэтому выборы начинаются сразу, а не через ttl: простой — секунды.',
			en: 'A stopped Patroni deletes its leader key itself, so the election starts at once rather than after ttl: the outage is seconds.',
		},
	},
	kill: {
		title: {ru: 'Отказ: kill -9 Patroni и PostgreSQL', en: 'Failure: kill -9 of Patroni and PostgreSQL'},
		does: {
			ru: 'Убивает сигналом KILL Patroni и все процессы PostgreSQL лидера и не даёт systemd перезапустить Patroni, пока не выбран новый лидер; затем запускает его, и узел возвращается через pg_rewind.',
			en: 'Kills Patroni and every PostgreSQL process of the leader with SIGKILL and keeps systemd from restarting Patroni until a new leader is elected; then starts it, and the node comes back through pg_rewind.',
		},
		learn: {
			ru: 'Убитый лидер не может отдать ключ: реплики ждут, пока он истечёт (до ttl), поэтому простой близок к ttl + loop_wait. Если Patroni вернётся раньше, он просто снова станет лидером на том же узле.',
			en: 'A killed leader cannot hand its key back: the replicas wait for it to expire (up to ttl), so the outage is close to ttl + loop_wait. Had Patroni come back sooner, it would simply lead again on the same node.',
		},
	},
	poweroff: {
		title: {ru: 'Отказ: выключение питания лидера', en: 'Failure: the leader powered off'},
		does: {
			ru: 'В лаборатории мгновенно останавливает все процессы узла-лидера (как «Выключить» в VirtualBox), вместе с его членом etcd; потом включает узел обратно.',
			en: 'In the lab, stops every process of the leader\'s node at once (like "Power Off" in VirtualBox), its etcd member included; then powers the node on again.',
		},
		learn: {
			ru: 'Кворум etcd (2 из 3) переживает потерю узла; простой определяется ttl, а вернувшийся узел сам догоняет кластер после загрузки.',
			en: 'The etcd quorum (2 of 3) survives the lost node; the outage is set by ttl, and the node catches up by itself after it boots.',
		},
	},
	cut: {
		title: {ru: 'Отказ: лидер отрезан от сети', en: 'Failure: the leader cut off the network'},
		does: {
			ru: 'В лаборатории выдёргивает сетевой кабель лидера: PostgreSQL на нём продолжает работать, но никто до него не достаёт. Кабель возвращается, только когда отрезанный лидер сам понизил себя (это видно изнутри узла): Patroni 3.0.2 из Debian 12, если сеть вернулась посреди понижения, может забрать ключ лидера обратно (исправлено в 3.0.3).',
			en: 'In the lab, pulls the leader\'s network cable: PostgreSQL keeps running there but nobody can reach it. The cable goes back only once the cut-off leader has stepped down by itself (seen from inside the node): Patroni 3.0.2 of Debian 12 may take the leader key back if the network returns in the middle of its demotion (fixed in 3.0.3).',
		},
		learn: {
			ru: 'Отрезанный лидер, не продлив ключ, сам понижает себя, а остальные выбирают нового: двух лидеров не бывает. Вернувшись, бывший лидер откатывает расхождение через pg_rewind.',
			en: 'A cut-off leader that cannot renew its key demotes itself while the others elect a new one: there are never two leaders. Back on the network, the old leader undoes its divergence with pg_rewind.',
		},
	},
	'entry-haproxy': {
		title: {ru: 'Отказ входа: HAProxy убит на узле с плавающим адресом', en: 'Front door lost: HAProxy killed on the node holding the floating address'},
		does: {
			ru: 'Зонды на другом узле пишут и читают через плавающий адрес и пишут через строку с несколькими хостами; на узле с адресом HAProxy убивается (kill -9) и не поднимается. Измеряет, когда адрес перешёл на другой узел и простой каждого входа; затем HAProxy запускается снова, и адрес должен остаться там, куда ушёл.',
			en: 'Probes on another node write and read through the floating address and write through the multi-host string; on the node holding the address HAProxy is killed (kill -9) and kept down. Measures when the address moved to another node and each door\'s outage; then HAProxy starts again, and the address must stay where it went.',
		},
		learn: {
			ru: 'Patroni тут ни при чём: лидер тот же, данные на месте. Вход держит keepalived: его проверка видит, что HAProxy не отвечает, и отдаёт адрес соседу за пару секунд.',
			en: 'Patroni has nothing to do here: the leader stays, the data is fine. The door is keepalived\'s job: its check sees HAProxy silent and hands the address to a peer within a couple of seconds.',
		},
	},
	'entry-poweroff': {
		title: {ru: 'Отказ входа: выключен узел с плавающим адресом', en: 'Front door lost: the node holding the floating address powered off'},
		does: {
			ru: 'В лаборатории выключает узел, который держит плавающий адрес и не является лидером, пока зонды на другом узле пишут и читают через адрес и пишут через строку с несколькими хостами. Измеряет переход адреса и простой каждого входа, затем включает узел и ждёт, пока он вернётся репликой.',
			en: 'In the lab, powers off the node that holds the floating address and is not the leader, while probes on another node write and read through the address and write through the multi-host string. Measures the address moving and each door\'s outage, then powers the node on and waits until it streams again.',
		},
		learn: {
			ru: 'С одним HAProxy, как в методичке, выключение этой ВМ отрезает всех клиентов до её возвращения, хотя база цела. С плавающим адресом перерыв — секунды.',
			en: 'With one HAProxy, as in the guide, powering this VM off cuts every client off until it returns, although the database is fine. With a floating address the break lasts seconds.',
		},
	},
	failsafe: {
		title: {ru: 'etcd недоступен на всех узлах (failsafe_mode)', en: 'etcd down on every node (failsafe_mode)'},
		does: {
			ru: 'Пока зонд пишет, останавливает etcd на всех узлах дольше ttl, следит, не стал ли кто-то ещё лидером, затем запускает etcd обратно. Считает записи, подтверждённые без etcd, и самый длинный перерыв.',
			en: 'While the probe writes, stops etcd on every node for longer than ttl, watches whether anyone else became a primary, then starts etcd again. Counts the writes acknowledged without etcd and the longest gap.',
		},
		learn: {
			ru: 'Без failsafe_mode лидер, потерявший etcd, понижает себя: база только для чтения, хотя все узлы живы. С failsafe_mode он остаётся лидером, пока видит все узлы по REST API, и никого не повышают.',
			en: 'Without failsafe_mode a leader that loses etcd demotes itself: the database goes read-only although every node is alive. With failsafe_mode it stays the leader while it reaches every member over the REST API, and nobody is promoted.',
		},
	},
	dataSafety: {
		title: {ru: 'Сохранность данных', en: 'Data safety'},
		does: {
			ru: 'Сверяет все записи, подтверждённые через HAProxy во время переключения и отказов, с таблицей: количество и контрольную сумму номеров, и то, что на каждом узле одинаковое число строк.',
			en: 'Checks every write acknowledged through HAProxy during the switchover and the failures against the table: the count and a checksum of the sequence numbers, and that every node holds the same number of rows.',
		},
		learn: {
			ru: 'С synchronous_mode подтверждённая запись уже есть на синхронной реплике, поэтому потерь нет. Без него асинхронная реплика может не успеть получить последние подтверждённые записи.',
			en: 'With synchronous_mode an acknowledged write is already on the synchronous replica, so nothing is lost. Without it an asynchronous replica may miss the last acknowledged writes.',
		},
	},
	load: {
		title: {ru: 'Нагрузка pgbench с отказом', en: 'pgbench load with a failure'},
		does: {
			ru: 'Запускает pgbench чтение-запись через порт записи и только чтение через порт чтения короткими отрезками по 2 с, посередине останавливает Patroni на лидере; считает tps до, во время и после, и оборванные транзакции.',
			en: 'Runs pgbench read-write through the write port and select-only through the read port in short 2 s segments, stopping Patroni on the leader in the middle; counts tps before, during and after, and broken transactions.',
		},
		learn: {
			ru: 'Отказ обрывает открытые подключения: приложение должно уметь переподключаться и повторять транзакцию. После выборов производительность возвращается к прежней.',
			en: 'A failure breaks open connections: an application has to reconnect and retry its transaction. After the election the throughput returns to where it was.',
		},
	},
	report: {
		title: {ru: 'Отчёт', en: 'Report'},
		does: {
			ru: 'Записывает отчёт в Markdown и JSON с графиками (SVG) каждого отказа в .pgha/reports/<запуск>/ рядом с файлом кластера.',
			en: 'Writes a Markdown and JSON report with a chart (SVG) of each failure into .pgha/reports/<run>/ beside the cluster file.',
		},
		learn: {
			ru: 'Сравните простой каждого отказа с теоретической границей из ttl, loop_wait и настроек проверок HAProxy: так видно, какая настройка за что отвечает.',
			en: 'Compare each failure\'s outage with the theoretical bound from ttl, loop_wait and HAProxy\'s check settings: it shows which setting is responsible for what.',
		},
	},
};

export function explainOf(key: TestKey): Text {
	const text = testTexts[key];
	return {ru: `${text.does.ru} ${text.learn.ru}`, en: `${text.does.en} ${text.learn.en}`};
}
