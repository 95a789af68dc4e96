// web/desktop/contact.js  The contact card's state, a reducer fed by the
// event stream (and by the desktop's own actions): null before the first
// call, then the last call's card until the next "screen-pop" replaces
// it.
//
// status: ringing -> talking (the agent's state becomes busy) -> ended
// (it leaves busy); ringing -> missed (it leaves offered otherwise).
// After a gap the agent as read anew says whether the call can still be
// on ("reconcile").

export const CONTACT_LABELS = {
  ringing: 'Ringing',
  talking: 'Talking',
  ended: 'Ended',
  missed: 'Missed',
};

function fromPop(ev) {
  const c = ev.customer && typeof ev.customer === 'object' ? ev.customer : null;
  return {
    call: ev.call ?? null,
    caller: ev.caller || '',
    dialled: ev.dialled || '',
    queue: ev.queue || '',
    customer: c,
    vars: ev.vars && typeof ev.vars === 'object' ? ev.vars : {},
    script: typeof ev.script === 'string' ? ev.script : null,
    campaign: ev.campaign && typeof ev.campaign === 'object' ? ev.campaign : null,
    status: 'ringing',
    answered: false,
    held: false,
    recPaused: false,
    transferred: null,
    ended: 0,                    // increases when the call ends
  };
}

function follow(c, from, to) {
  if (c.status === 'ringing') {
    if (to === 'busy') return { ...c, status: 'talking', answered: true };
    if (from === 'offered' && to !== 'offered') return { ...c, status: 'missed' };
  } else if (c.status === 'talking' && from === 'busy' && to !== 'busy') {
    return { ...c, status: 'ended', held: false, ended: Date.now() };
  }
  return c;
}

function reconcile(c, state) {
  if (c.status === 'ringing' && state === 'busy') {
    return { ...c, status: 'talking', answered: true };
  }
  if (c.status === 'ringing' && state !== 'offered') return { ...c, status: 'missed' };
  if (c.status === 'talking' && state !== 'busy') {
    return { ...c, status: 'ended', held: false, ended: Date.now() };
  }
  return c;
}

export function contactReducer(c, a) {
  switch (a.type) {
  case 'reset':
    return null;
  case 'pop':
    return fromPop(a.ev);
  case 'restore':              // a live call found by GET /api/v1/calls
    return c && c.call === a.call.id ? c : {
      ...fromPop({ call: a.call.id, caller: a.call.caller,
        dialled: a.call.dialled, queue: a.call.queue, customer: a.customer }),
      status: a.call.state === 'talking' ? 'talking' : 'ringing',
      answered: a.call.state === 'talking',
    };
  default:
    break;
  }
  if (!c) return c;
  switch (a.type) {
  case 'state':
    return follow(c, a.from, a.to);
  case 'reconcile':
    return reconcile(c, a.state);
  case 'customer':
    return { ...c, customer: a.customer };
  case 'hold':
    return a.call === c.call ? { ...c, held: a.on } : c;
  case 'recording':
    return a.call === c.call ? { ...c, recPaused: a.paused } : c;
  case 'transfer':
    return a.call === c.call ? { ...c, transferred: a.detail || 'elsewhere' } : c;
  default:
    return c;
  }
}
