// Who is on duty right now: experts per skill by presence (can a request for
// this skill be served?) and managers online per branch.
import type { PresenceSnapshot } from '#protocol/control';
import { skillName } from '../../lib/products.ts';
import { useI18n } from '../../i18n/I18n.tsx';

const STATUSES = ['available', 'busy', 'away', 'offline'] as const;

export function PresencePanel({ presence }: { presence: PresenceSnapshot | undefined }) {
  const { t } = useI18n();
  return (
    <section className="panel presence-panel" aria-labelledby="presence-h">
      <h2 id="presence-h">{t('ops.presence')}</h2>
      <table className="table">
        <caption>{t('ops.presence.experts')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('field.skill')}</th>
            {STATUSES.map((s) => (
              <th scope="col" key={s}>
                {t(`presence.${s}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(presence?.bySkill ?? []).map((row) => (
            <tr key={row.skill} data-skill={row.skill}>
              <th scope="row">{skillName(t, row.skill)}</th>
              {STATUSES.map((s) => (
                <td key={s} className={row[s] > 0 ? `count n-${s}` : 'count zero'}>
                  {row[s]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {(presence?.bySkill.length ?? 0) === 0 && <p className="empty">{t('ops.noExperts')}</p>}
      <h3>{t('ops.presence.managers')}</h3>
      {(presence?.managers.filter((m) => m.total > 0).length ?? 0) === 0 ? (
        <p className="empty">{t('ops.presence.noManagers')}</p>
      ) : (
        <ul className="managers-online">
          {presence!.managers
            .filter((m) => m.total > 0)
            .map((m) => (
              <li key={m.branchId} data-branch={m.branchId}>
                <span className={m.online > 0 ? 'dot ok' : 'dot bad'} aria-hidden="true" />
                <strong>{m.branchName ?? m.branchId}</strong>
                <span className="muted">
                  {t('ops.presence.onlineOf', { online: m.online, total: m.total })}
                </span>
              </li>
            ))}
        </ul>
      )}
    </section>
  );
}
