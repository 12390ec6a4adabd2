// The page of `linkage serve` (docs/serve.md is the contract it follows).
//
// One script, no framework, no build step. It reads the catalog, builds the controls,
// starts a run (POST /api/runs), listens to the run's server-sent events, buffers the
// days and reveals them at the chosen pace in one chart per catalog chart and one small
// map per regime, and posts finished runs to the class board. Everything that comes from
// the server or from a participant is put in the page with textContent, never as markup.
// Styles are set through classes or element.style (the server's CSP forbids inline
// style attributes and inline scripts).
'use strict';

(function () {
  // ---------------------------------------------------------------- words

  // Strings the script writes (the static ones are in index.html, data-en / data-zh).
  const WORDS = {
    ready: { en: 'Ready: choose the settings, then press Run.', zh: '就绪：选好设置后按“运行”。' },
    loading: { en: 'Loading the catalog…', zh: '正在读取目录…' },
    catalogFailed: { en: 'The page could not read the catalog from the server.', zh: '页面无法从服务器读取目录。' },
    starting: { en: 'Sending the run to the server…', zh: '正在把运行发送到服务器…' },
    queued: { en: (n) => `Queued: place ${n}. The runs before yours are being computed; yours starts by itself.`, zh: (n) => `排队中：第 ${n} 位。前面的运行正在计算，轮到你时会自动开始。` },
    queuedNext: { en: 'Queued: yours is next.', zh: '排队中：下一个就是你。' },
    warmup: { en: (p) => `Warming up the city (not shown): ${p}%`, zh: (p) => `城市预热中（不显示）：${p}%` },
    warmupStart: { en: 'Warming up the city (not shown)…', zh: '城市预热中（不显示）…' },
    day: { en: (t, n) => `Day ${t} of ${n}`, zh: (t, n) => `第 ${t} 天，共 ${n} 天` },
    computed: { en: (c) => `computed: ${c}`, zh: (c) => `已算出：${c}` },
    paused: { en: 'paused', zh: '已暂停' },
    done: { en: (n) => `Done: ${n} days.`, zh: (n) => `完成：共 ${n} 天。` },
    cached: { en: 'The same run was done before: shown from the cache.', zh: '同样的运行以前做过：直接显示缓存结果。' },
    errorStatus: { en: 'Stopped: see the error above.', zh: '已停止：见上方的错误。' },
    locked: {
      en: 'This run keeps the settings it started with; press Reset to run with the new value.',
      zh: '本次运行保持开始时的设置；按“重置”后再用新的值运行。',
    },
    lessonLocked: {
      en: 'This run keeps the settings it started with; press Reset to load the lesson\u2019s settings.',
      zh: '本次运行保持开始时的设置；按“重置”后载入本课例的设置。',
    },
    appliedPending: { en: 'Reset: the new values are in the controls; press Run.', zh: '已重置：新的数值已放入控件；请按“运行”。' },
    lessonLoaded: { en: (n) => `Lesson loaded: ${n}. Press Run.`, zh: (n) => `已载入课例：${n}。请按“运行”。` },
    lessonUnknown: { en: (w) => `This lesson names something the page does not offer: ${w}`, zh: (w) => `本课例提到了页面没有的选项：${w}` },
    tooManyRegimes: { en: (n) => `At most ${n} regimes run at once: untick one first.`, zh: (n) => `最多同时运行 ${n} 种治理模式：请先取消一种。` },
    network: { en: 'The server cannot be reached (is `linkage serve` still running?).', zh: '无法连接服务器（`linkage serve` 还在运行吗？）。' },
    streamLost: { en: 'The connection to the server was lost. Press Reset, then Run to try again.', zh: '与服务器的连接已断开。请按“重置”，再按“运行”重试。' },
    needName: { en: 'Type your name first.', zh: '请先输入你的名字。' },
    posted: { en: (n) => `On the board as \u201c${n}\u201d.`, zh: (n) => `已发布到榜单：“${n}”。` },
    scenarioShock: { en: 'as in the scenario', zh: '按情景设定' },
    noShock: { en: 'none', zh: '无冲击' },
    scenarioValue: { en: 'scenario\u2019s', zh: '情景原值' },
    seedPlaceholder: { en: 'empty: the scenario\u2019s seed', zh: '留空：使用情景默认种子' },
    backToPreset: { en: 'back to the preset', zh: '恢复预设值' },
    mechanisms: { en: 'its ten mechanisms', zh: '十项机制' },
    speedDays: { en: (n) => `${n} days/s`, zh: (n) => `每秒 ${n} 天` },
    speedMax: { en: 'as fast as computed', zh: '算多快显示多快' },
    dayAxis: { en: 'day', zh: '天' },
    shockBand: { en: (k, a, b) => `grey band: ${k} (days ${a}\u2013${b})`, zh: (k, a, b) => `灰色带：${k}（第 ${a}\u2013${b} 天）` },
    shockMark: { en: (k, a) => `grey line: ${k} (day ${a})`, zh: (k, a) => `灰线：${k}（第 ${a} 天）` },
    mapNote: { en: (d) => `square size: residents · map of day ${d}`, zh: (d) => `方块大小：居民人数 · 第 ${d} 天的地图` },
    mapWaiting: { en: 'square size: residents · the map appears with the first days', zh: '方块大小：居民人数 · 地图随最初几天出现' },
    urban: { en: 'urban', zh: '城镇' },
    rural: { en: 'rural', zh: '农村' },
    residentsN: { en: (n) => `${n} residents`, zh: (n) => `${n} 名居民` },
    trustV: { en: (v) => `trust ${v}`, zh: (v) => `信任度 ${v}` },
    township: { en: (i) => `township ${i}`, zh: (i) => `乡镇 ${i}` },
    county: { en: (i) => `county ${i}`, zh: (i) => `县 ${i}` },
    regime: { en: 'regime', zh: '治理模式' },
    sliderNote: { en: (w, a, b) => `Slider: ${w}, from ${a} to ${b}.`, zh: (w, a, b) => `滑块：${w}，从 ${a} 调到 ${b}。` },
    clearAgain: { en: 'Click again to clear', zh: '再点一次即清空' },
    cleared: { en: 'The board is cleared.', zh: '榜单已清空。' },
    langButton: { en: '中文', zh: 'English' },
  };

  // Regime and place names the catalog gives only in English.
  const REGIME_ZH = { fragmented: '碎片化', integrated: '整体性治理', linkage: '联动治理' };
  const PLACE_ZH = {
    'Core District': '中心城区', 'County-level City': '县级市', 'North County': '北县',
    'East County': '东县', 'South County': '南县', 'West County': '西县', city: '全市',
  };
  // Board and outcome columns the page knows how to name (others show their key).
  const COLUMN_WORDS = {
    name: ['name', '姓名'], posted: ['no.', '序号'], time: ['time', '时间'], service_rate: ['service rate', '服务率'], regime: ['regime', '治理模式'],
    scenario: ['scenario', '情景'], shock: ['shock', '冲击'], residents: ['residents', '居民'],
    seed: ['seed', '种子'], days: ['days', '天数'], settings: ['settings', '设置'],
    mechanisms: ['mechanisms', '机制'],
    solution_rate: ['solution rate', '解决率'], satisfaction_rate: ['satisfaction', '满意率'],
    response_rate: ['response rate', '响应率'], closure_rate: ['closure rate', '办结率'],
    trust_end: ['trust at the end', '期末信任度'], happiness_end: ['happiness at the end', '期末幸福感'],
    protester_days: ['protester-days', '抗议人天'], incidents: ['incidents', '群体性事件'],
    staff_hours: ['staff-hours', '工时'], staff_hours_per_solved: ['staff-hours per solved', '每解决一件工时'],
    urban_rural_gap: ['urban\u2013rural gap', '城乡差距'], coordination_hours: ['coordination hours', '协调工时'],
    petitions: ['petitions', '越级上访'], link_strength_end: ['link strength at the end', '期末联结强度'],
  };
  const OUTCOME_KEYS = ['solution_rate', 'satisfaction_rate', 'response_rate', 'trust_end', 'happiness_end',
    'urban_rural_gap', 'protester_days', 'incidents', 'staff_hours', 'staff_hours_per_solved'];

  // Okabe–Ito, the report's regime colours (src/report/charts.rs), fixed per name.
  const REGIME_COLOURS = { fragmented: 'rgb(213,94,0)', integrated: 'rgb(0,114,178)', linkage: 'rgb(0,158,115)' };
  const SPARE_COLOURS = ['rgb(204,121,167)', 'rgb(230,159,0)', 'rgb(86,180,233)', 'rgb(0,0,0)'];
  // Viridis at 0, 1/4, 1/2, 3/4, 1: the report's trust scale.
  const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const CHART_FONT = '15px LinkageSans, sans-serif';
  const CHART_LABEL_FONT = 'bold 15px LinkageSans, sans-serif';
  const SPEEDS = ['5', '20', '60', 'max'];

  // ---------------------------------------------------------------- state

  const test = {
    received: {}, points: {}, state: 'idle', runId: null, lastError: null,
    header: null, units: null, shownDays: 0, done: null, drawn: {}, mapsDrawn: 0,
  };
  window.linkageTest = test;

  let lang = 'en';
  let catalog = null;
  let view = 'sim';
  let uiState = 'idle'; // idle | starting | queued | running | done | error
  let run = null;       // the run shown, see newRun
  let generation = 0;   // bumps on every start and reset; stale handlers check it
  const controls = new Map(); // id -> {el, get, set, after}
  let snapshot = null;  // control values of the run shown (while queued/running)
  let pending = new Map(); // control id -> value refused during a run
  let pendingLesson = null;
  let currentLesson = null;
  const settingTouched = new Map(); // setting path -> bool
  let statusExtra = null;
  let errorSource = null;
  const board = { columns: [], rows: [], sort: null, timer: null, clearArmed: null };

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function w(key, ...args) {
    const entry = WORDS[key];
    if (!entry) return key;
    const v = entry[lang] !== undefined ? entry[lang] : entry.en;
    return typeof v === 'function' ? v(...args) : v;
  }
  // A catalog entry's label in the page's language.
  function pick(obj, field) {
    if (!obj) return '';
    if (field) {
      const v = obj[`${field}_${lang}`];
      return v !== undefined && v !== null && v !== '' ? v : (obj[`${field}_en`] || '');
    }
    const v = obj[lang];
    if (v !== undefined && v !== null && v !== '') return v;
    return obj.en || obj.name || obj.id || obj.kind || obj.path || '';
  }
  function regimeLabel(name) {
    if (lang === 'zh' && REGIME_ZH[name]) return `${REGIME_ZH[name]} ${name}`;
    return name;
  }
  function placeLabel(name) {
    if (lang === 'zh' && PLACE_ZH[name]) return PLACE_ZH[name];
    return name;
  }
  function columnLabel(key) {
    const words = COLUMN_WORDS[key];
    if (words) return lang === 'zh' ? words[1] : words[0];
    if (catalog) {
      const m = (catalog.mechanisms || []).find((x) => x.name === key);
      if (m) return pick(m);
      const s = (catalog.settings || []).find((x) => x.path === key);
      if (s) return pick(s);
    }
    return key;
  }
  function regimeColour(name, index) {
    return REGIME_COLOURS[name] || SPARE_COLOURS[index % SPARE_COLOURS.length];
  }
  function viridis(v) {
    const f = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.5;
    const x = f * (VIRIDIS.length - 1);
    const i = Math.min(Math.floor(x), VIRIDIS.length - 2);
    const t = x - i;
    const a = VIRIDIS[i]; const b = VIRIDIS[i + 1];
    const mix = (p, q) => Math.round(p + (q - p) * t);
    return `rgb(${mix(a[0], b[0])},${mix(a[1], b[1])},${mix(a[2], b[2])})`;
  }
  function thousands(n) {
    return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }
  function fmtValue(v) {
    if (v === null || v === undefined || !Number.isFinite(v)) return '\u2013';
    const a = Math.abs(v);
    if (a >= 1000) return thousands(v);
    if (Number.isInteger(v)) return String(v);
    if (a >= 10) return v.toFixed(1);
    return v.toFixed(3);
  }
  function fmtOutcome(key, v) {
    if (typeof v !== 'number') return v === null || v === undefined ? '\u2013' : String(v);
    if (/_rate$|_gap$/.test(key) && v >= 0 && v <= 1) return `${(100 * v).toFixed(1)}%`;
    return fmtValue(v);
  }
  function fmtSlider(v, step) {
    const n = Number(v);
    if (!Number.isFinite(n)) return String(v);
    const s = Number(step);
    const decimals = Number.isFinite(s) && s > 0 && s < 1 ? Math.min(4, Math.ceil(-Math.log10(s) - 1e-9)) : 0;
    return n.toFixed(decimals);
  }
  function asNumber(raw) {
    const s = String(raw).trim();
    if (s === '') return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : s; // a non-number goes to the server, which says what is allowed
  }
  function cssId(s) {
    return String(s).replace(/\./g, '-');
  }
  function params() {
    return new URLSearchParams(window.location.search);
  }

  async function api(method, path, body) {
    const opt = { method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      // A seed beyond 2^53 would lose its last digits as a JS number: it travels as the
      // digits typed (see buildRequest).
      opt.body = JSON.stringify(body).replace(/"seed":"@digits:(\d+)"/, '"seed":$1');
    }
    let res;
    try {
      res = await fetch(path, opt);
    } catch (e) {
      const err = new Error(w('network'));
      err.network = true;
      throw err;
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      const msg = data && typeof data.error === 'string' ? data.error : (text.trim() || `${res.status} ${res.statusText}`);
      const err = new Error(msg);
      err.status = res.status;
      throw err;
    }
    return data;
  }

  // ---------------------------------------------------------------- messages

  function showError(message, source) {
    const box = $('error');
    box.textContent = message; // verbatim
    box.hidden = false;
    errorSource = source || 'run';
    test.lastError = message;
  }
  function clearError(source) {
    if (source && errorSource !== source) return;
    const box = $('error');
    box.textContent = '';
    box.hidden = true;
    errorSource = null;
  }
  let noticeTimer = null;
  function showNotice(message, sticky) {
    const box = $('notice');
    box.textContent = message;
    box.hidden = false;
    box.classList.remove('flash');
    void box.offsetWidth; // restart the flash animation
    box.classList.add('flash');
    if (noticeTimer) clearTimeout(noticeTimer);
    noticeTimer = sticky ? null : setTimeout(() => { box.hidden = true; }, 12000);
  }
  function hideNotice() {
    $('notice').hidden = true;
  }

  // ---------------------------------------------------------------- language

  function setLang(next) {
    lang = next === 'zh' ? 'zh' : 'en';
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    for (const e of document.querySelectorAll('[data-en]')) {
      e.textContent = lang === 'zh' ? e.dataset.zh : e.dataset.en;
    }
    $('lang').textContent = w('langButton');
    if (!catalog) return;
    relabelControls();
    renderLessons();
    renderLessonCard();
    if (run) {
      buildCharts();
      renderSentences();
      renderOutcomes();
      renderMaps();
    }
    renderStatus();
    if (board.columns.length || view === 'board') renderBoard();
  }

  // ---------------------------------------------------------------- controls

  // A run holds its settings from Run until its last day is shown: the server may have
  // finished long before the page has revealed every day.
  function locked() {
    return uiState === 'queued' || uiState === 'running' || uiState === 'starting' ||
      (uiState === 'done' && !!run && !run.finished);
  }

  // Registers a setting control: its value can be read, restored, and is refused mid-run.
  function register(id, el, get, set, after) {
    const c = { id, el, get, set, after: after || (() => {}) };
    controls.set(id, c);
    const handler = () => onControl(c);
    el.addEventListener('input', handler);
    el.addEventListener('change', handler);
    return c;
  }
  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  function onControl(c) {
    if (locked() && snapshot) {
      const runValue = snapshot.get(c.id);
      const now = c.get();
      if (same(now, runValue)) return;
      pending.set(c.id, now);
      c.set(runValue);
      c.after(false);
      showNotice(w('locked'));
      return;
    }
    c.after(true);
  }
  function takeSnapshot() {
    const s = new Map();
    for (const [id, c] of controls) s.set(id, c.get());
    return s;
  }

  function buildControls() {
    const lim = catalog.limits || {};

    // scenario
    const sc = $('scenario');
    for (const s of catalog.scenarios || []) {
      const o = el('option', null, s.name);
      o.value = s.name;
      sc.appendChild(o);
    }
    register('scenario', sc, () => sc.value, (v) => { sc.value = v; }, (byUser) => {
      renderScenarioInfo();
      if (byUser) {
        const s = scenarioByName(sc.value);
        if (s && s.days) $('days').value = String(Math.min(s.days, lim.max_days || s.days));
        refreshShockFields();
        resetUntouchedSettings();
      }
    });

    // shock kind, day, strength
    const sk = $('shock-kind');
    const addOpt = (value, key) => {
      const o = el('option');
      o.value = value;
      o.dataset.key = key;
      sk.appendChild(o);
    };
    addOpt('scenario', 'scenario');
    addOpt('none', 'none');
    for (const s of catalog.shocks || []) addOpt(s.kind, 'kind');
    register('shock-kind', sk, () => sk.value, (v) => { sk.value = v; }, (byUser) => {
      if (byUser) refreshShockFields(true);
      else refreshShockFields(false);
    });
    const sd = $('shock-day');
    const ss = $('shock-strength');
    register('shock-day', sd, () => sd.value, (v) => { sd.value = v; });
    register('shock-strength', ss, () => ss.value, (v) => { ss.value = v; });

    // residents, seed, days
    const re = $('residents');
    if (lim.min_residents) re.min = String(lim.min_residents);
    if (lim.max_residents) re.max = String(lim.max_residents);
    re.value = String(lim.default_residents || 20000);
    register('residents', re, () => re.value, (v) => { re.value = v; });
    const seed = $('seed');
    register('seed', seed, () => seed.value, (v) => { seed.value = v; });
    const days = $('days');
    if (lim.max_days) days.max = String(lim.max_days);
    register('days', days, () => days.value, (v) => { days.value = v; });

    buildRegimes();
    buildSettings();

    // speed (the page's pacing, not a setting of the run)
    const sp = $('speed');
    for (const s of SPEEDS) {
      const o = el('option');
      o.value = s;
      sp.appendChild(o);
    }
    sp.value = '20';

    // first scenario: the catalog's first (the server lists its default first)
    const first = (catalog.scenarios || [])[0];
    if (first) {
      sc.value = first.name;
      days.value = String(first.days || 365);
    }
    refreshShockFields(false);
    renderScenarioInfo();
    relabelControls();
  }

  function presetNames() {
    return Object.keys(catalog.presets || {});
  }
  function presetValue(regime, mech) {
    const p = (catalog.presets || {})[regime] || (catalog.presets || {}).linkage || {};
    const v = p[mech];
    return typeof v === 'number' ? v : 0;
  }

  function buildRegimes() {
    const box = $('regimes');
    const names = presetNames();
    names.forEach((name, i) => {
      const wrap = el('div', 'regime');
      wrap.dataset.regime = name;
      const head = el('div', 'regime-head');
      const cb = el('input');
      cb.type = 'checkbox';
      cb.id = `regime-${name}`;
      cb.checked = true;
      const lab = el('label', 'regime-name');
      lab.htmlFor = cb.id;
      const swatch = el('span', 'swatch');
      swatch.style.backgroundColor = regimeColour(name, i);
      const text = el('span', 'regime-label');
      lab.appendChild(swatch);
      lab.appendChild(text);
      head.appendChild(cb);
      head.appendChild(lab);
      wrap.appendChild(head);
      register(cb.id, cb, () => cb.checked, (v) => { cb.checked = v; }, (byUser) => {
        if (byUser && cb.checked) {
          const max = (catalog.limits || {}).max_regimes || 4;
          if (checkedRegimes().length > max) {
            cb.checked = false;
            showNotice(w('tooManyRegimes', max));
          }
        }
        wrap.classList.toggle('off', !cb.checked);
      });

      const det = el('details', 'mechs');
      det.id = `mechs-${name}`;
      const sum = el('summary', 'mechs-summary');
      det.appendChild(sum);
      for (const m of catalog.mechanisms || []) {
        const { row, input, val } = sliderRow('slider-row', `mech-${name}-${m.name}`, 0, 1, 0.01,
          presetValue(name, m.name), (l) => { l.dataset.mech = m.name; });
        det.appendChild(row);
        const show = () => {
          val.textContent = fmtSlider(input.value, 0.01);
          row.classList.toggle('changed', Math.abs(Number(input.value) - presetValue(name, m.name)) > 1e-9);
        };
        register(input.id, input, () => input.value, (v) => { input.value = v; }, show);
        show();
      }
      const back = el('button', 'small-button');
      back.type = 'button';
      back.id = `preset-${name}`;
      back.addEventListener('click', () => {
        if (locked()) { showNotice(w('locked')); return; }
        for (const m of catalog.mechanisms || []) setControl(`mech-${name}-${m.name}`, String(presetValue(name, m.name)));
      });
      det.appendChild(back);
      wrap.appendChild(det);
      box.appendChild(wrap);
    });
  }

  // A labelled range slider with its value shown beside it; `label` marks the label
  // (the language switch fills its text).
  function sliderRow(cls, id, min, max, step, value, label) {
    const row = el('div', cls);
    const input = el('input');
    input.type = 'range';
    input.min = String(min);
    input.max = String(max);
    input.step = String(step);
    input.id = id;
    input.value = String(value);
    const l = el('label', 'slider-label');
    l.htmlFor = id;
    label(l);
    const val = el('output', 'slider-value');
    row.appendChild(l);
    row.appendChild(input);
    row.appendChild(val);
    return { row, input, val };
  }

  function buildSettings() {
    const box = $('settings');
    for (const s of catalog.settings || []) {
      const { row, input, val } = sliderRow('slider-row setting-row', `setting-${cssId(s.path)}`,
        s.min, s.max, s.step || 0.01, s.default, (l) => { l.dataset.path = s.path; });
      box.appendChild(row);
      settingTouched.set(s.path, false);
      const show = () => {
        const touched = settingTouched.get(s.path);
        val.textContent = touched ? fmtSlider(input.value, s.step) : `${fmtSlider(input.value, s.step)} (${w('scenarioValue')})`;
        row.classList.toggle('changed', !!touched);
      };
      register(input.id, input,
        () => ({ value: input.value, touched: settingTouched.get(s.path) }),
        (v) => { input.value = v.value; settingTouched.set(s.path, !!v.touched); },
        (byUser) => { if (byUser) settingTouched.set(s.path, true); show(); });
      show();
    }
  }

  // The scenario's own value of a setting when the catalog gives it, else the default.
  function settingBase(s) {
    const sc = scenarioByName($('scenario').value);
    if (sc && sc.settings && typeof sc.settings[s.path] === 'number') return sc.settings[s.path];
    return s.default;
  }
  function resetUntouchedSettings() {
    for (const s of catalog.settings || []) {
      if (!settingTouched.get(s.path)) {
        const c = controls.get(`setting-${cssId(s.path)}`);
        c.set({ value: String(settingBase(s)), touched: false });
        c.after(false);
      }
    }
  }

  function setControl(id, value) {
    const c = controls.get(id);
    if (!c) return false;
    c.set(value);
    c.after(false);
    return true;
  }

  function scenarioByName(name) {
    return (catalog.scenarios || []).find((s) => s.name === name) || null;
  }
  function shockByKind(kind) {
    return (catalog.shocks || []).find((s) => s.kind === kind) || null;
  }

  function renderScenarioInfo() {
    const s = scenarioByName($('scenario').value);
    const d = s ? (lang === 'zh' && s.description_zh ? s.description_zh : s.description) : '';
    $('scenario-description').textContent = d || '';
    $('seed').placeholder = s && s.seed !== undefined && s.seed !== null ? String(s.seed) : w('seedPlaceholder');
    $('seed').title = w('seedPlaceholder');
  }

  // Fills day and strength: the chosen kind's shipped values when the kind has just been
  // chosen, the scenario's own shock (read-only) for "as in the scenario", blank for none.
  function refreshShockFields(kindChangedByUser) {
    const kind = $('shock-kind').value;
    const sd = $('shock-day');
    const ss = $('shock-strength');
    if (kind === 'scenario' || kind === 'none') {
      sd.disabled = true;
      ss.disabled = true;
      const s = scenarioByName($('scenario').value);
      const own = kind === 'scenario' && s && s.shock ? s.shock : null;
      sd.value = own && typeof own.day === 'number' ? String(own.day) : '';
      ss.value = own && typeof own.strength === 'number' ? String(own.strength) : '';
    } else {
      sd.disabled = false;
      ss.disabled = false;
      if (kindChangedByUser || sd.value === '' || ss.value === '') {
        const k = shockByKind(kind);
        if (k) {
          sd.value = typeof k.day === 'number' ? String(k.day) : '';
          ss.value = typeof k.strength === 'number' ? String(k.strength) : '';
        }
      }
    }
    const lim = catalog.limits || {};
    if (lim.max_days) sd.max = String(lim.max_days);
  }

  function relabelControls() {
    for (const o of $('shock-kind').options) {
      if (o.dataset.key === 'scenario') o.textContent = w('scenarioShock');
      else if (o.dataset.key === 'none') o.textContent = w('noShock');
      else o.textContent = pick(shockByKind(o.value)) || o.value;
    }
    for (const o of $('speed').options) {
      o.textContent = o.value === 'max' ? w('speedMax') : w('speedDays', o.value);
    }
    presetNames().forEach((name) => {
      const wrap = document.querySelector(`.regime[data-regime="${CSS.escape(name)}"]`);
      if (!wrap) return;
      wrap.querySelector('.regime-label').textContent = regimeLabel(name);
      wrap.querySelector('.mechs-summary').textContent = w('mechanisms');
      wrap.querySelector('.small-button').textContent = w('backToPreset');
    });
    for (const l of document.querySelectorAll('.slider-label[data-mech]')) {
      const m = (catalog.mechanisms || []).find((x) => x.name === l.dataset.mech);
      l.textContent = pick(m) || l.dataset.mech;
      l.title = pick(m, 'help');
      l.parentElement.title = pick(m, 'help');
    }
    for (const l of document.querySelectorAll('.slider-label[data-path]')) {
      const s = (catalog.settings || []).find((x) => x.path === l.dataset.path);
      l.textContent = pick(s) || l.dataset.path;
      l.title = l.dataset.path;
    }
    for (const s of catalog.settings || []) {
      const c = controls.get(`setting-${cssId(s.path)}`);
      if (c) c.after(false);
    }
    renderScenarioInfo();
  }

  function checkedRegimes() {
    return presetNames().filter((n) => $(`regime-${n}`).checked);
  }

  function buildRequest() {
    const req = { scenario: $('scenario').value };
    const kind = $('shock-kind').value;
    if (kind === 'scenario' || kind === 'none') req.shock = kind;
    else req.shock = { kind, day: asNumber($('shock-day').value), strength: asNumber($('shock-strength').value) };
    const residents = asNumber($('residents').value);
    if (residents !== undefined) req.residents = residents;
    const seedText = String($('seed').value).trim();
    const seed = asNumber(seedText);
    if (seed !== undefined) {
      req.seed = /^\d+$/.test(seedText) && !Number.isSafeInteger(seed) ? `@digits:${seedText}` : seed;
    }
    const days = asNumber($('days').value);
    if (days !== undefined) req.days = days;
    req.regimes = checkedRegimes().map((name) => {
      const mechanisms = {};
      for (const m of catalog.mechanisms || []) mechanisms[m.name] = Number($(`mech-${name}-${m.name}`).value);
      return { name, mechanisms };
    });
    const settings = {};
    for (const s of catalog.settings || []) {
      if (settingTouched.get(s.path)) settings[s.path] = Number($(`setting-${cssId(s.path)}`).value);
    }
    req.settings = settings;
    return req;
  }

  // ---------------------------------------------------------------- lessons

  function renderLessons() {
    const list = $('lessons');
    list.textContent = '';
    const lessons = catalog.lessons || [];
    $('lessons-section').hidden = lessons.length === 0;
    lessons.forEach((ls, i) => {
      const li = el('li');
      const b = el('button', 'lesson-button', pick(ls).title || ls.id);
      b.type = 'button';
      b.id = `lesson-${ls.id || i}`;
      if (currentLesson === ls) b.classList.add('active');
      b.addEventListener('click', () => chooseLesson(ls));
      li.appendChild(b);
      list.appendChild(li);
    });
  }

  function sliderDescription(ls) {
    const s = ls.slider;
    if (!s) return '';
    let what;
    if (s.mechanism) {
      const m = (catalog.mechanisms || []).find((x) => x.name === s.mechanism);
      what = `${regimeLabel(s.regime)} \u00b7 ${m ? pick(m) : s.mechanism}`;
    } else {
      const st = (catalog.settings || []).find((x) => x.path === s.setting);
      what = st ? pick(st) : s.setting;
    }
    return w('sliderNote', what, s.from, s.to);
  }

  function renderLessonCard() {
    const card = $('lesson-card');
    if (!currentLesson) { card.hidden = true; return; }
    const t = pick(currentLesson) || {};
    const words = typeof t === 'object' ? t : {};
    card.hidden = false;
    $('lesson-title').textContent = words.title || currentLesson.id || '';
    $('lesson-question').textContent = words.question || '';
    const move = $('lesson-move');
    move.textContent = words.move || '';
    const note = sliderDescription(currentLesson);
    if (note) {
      move.appendChild(document.createElement('br'));
      move.appendChild(el('span', 'slider-note', note));
    }
    $('lesson-look').textContent = words.look_for || '';
  }

  function chooseLesson(ls) {
    currentLesson = ls;
    renderLessons();
    renderLessonCard();
    if (locked()) {
      pendingLesson = ls;
      showNotice(w('lessonLocked'));
      return;
    }
    applyLesson(ls);
  }

  function applyLesson(ls) {
    const st = ls.setting || {};
    const missing = [];
    if (st.scenario !== undefined) {
      if (scenarioByName(st.scenario)) setControl('scenario', st.scenario);
      else missing.push(st.scenario);
    }
    if (st.shock === undefined || st.shock === 'scenario' || st.shock === 'none') {
      setControl('shock-kind', st.shock || 'scenario');
      refreshShockFields(false);
    } else if (typeof st.shock === 'object' && st.shock) {
      if (shockByKind(st.shock.kind)) {
        setControl('shock-kind', st.shock.kind);
        refreshShockFields(true);
        if (st.shock.day !== undefined) setControl('shock-day', String(st.shock.day));
        if (st.shock.strength !== undefined) setControl('shock-strength', String(st.shock.strength));
      } else missing.push(st.shock.kind);
    }
    const lim = catalog.limits || {};
    setControl('residents', String(st.residents !== undefined ? st.residents : (lim.default_residents || 20000)));
    setControl('seed', st.seed !== undefined && st.seed !== null ? String(st.seed) : '');
    const sc = scenarioByName($('scenario').value);
    setControl('days', String(st.days !== undefined ? st.days : (sc && sc.days) || 365));
    if (Array.isArray(st.regimes)) {
      const wanted = new Map();
      for (const r of st.regimes) {
        if (typeof r === 'string') wanted.set(r, {});
        else if (r && r.name) wanted.set(r.name, r.mechanisms || {});
      }
      for (const name of presetNames()) {
        const mechs = wanted.get(name);
        setControl(`regime-${name}`, mechs !== undefined);
        for (const m of catalog.mechanisms || []) {
          const v = mechs && typeof mechs[m.name] === 'number' ? mechs[m.name] : presetValue(name, m.name);
          setControl(`mech-${name}-${m.name}`, String(v));
        }
      }
      for (const name of wanted.keys()) if (!presetNames().includes(name)) missing.push(name);
    }
    for (const s of catalog.settings || []) settingTouched.set(s.path, false);
    resetUntouchedSettings();
    const given = st.settings || {};
    for (const [path, v] of Object.entries(given)) {
      if (!setControl(`setting-${cssId(path)}`, { value: String(v), touched: true })) missing.push(path);
    }
    for (const r of document.querySelectorAll('.lesson-target')) r.classList.remove('lesson-target');
    const s = ls.slider || {};
    const targetId = s.mechanism ? `mech-${s.regime}-${s.mechanism}` : (s.setting ? `setting-${cssId(s.setting)}` : null);
    const target = targetId ? $(targetId) : null;
    if (target) {
      const det = target.closest('details');
      if (det) det.open = true;
      target.parentElement.classList.add('lesson-target');
      target.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    } else if (targetId) missing.push(targetId);
    if (missing.length) showNotice(w('lessonUnknown', missing.join(', ')), true);
    else showNotice(w('lessonLoaded', (pick(ls) || {}).title || ls.id));
  }

  // ---------------------------------------------------------------- runs

  function newRun(answer, gen) {
    const regimes = Array.isArray(answer.regimes) ? answer.regimes.slice() : [];
    const charts = catalog.charts || [];
    const series = {};
    for (const c of charts) {
      series[c.id] = {};
      for (const r of regimes) series[c.id][r] = [];
    }
    return {
      gen, id: answer.id, cached: !!answer.cached, regimes,
      units: Array.isArray(answer.units) ? answer.units : [],
      days: Number(answer.days) || Number($('days').value) || 365,
      shock: answer.shock || null,
      place: Number(answer.place) || 0,
      warm: null, lastTick: -1, computed: 0,
      buffer: [], mapQueue: [], map: null,
      x: [], series, shown: 0, credit: 0, paused: false,
      doneData: null, finished: false, es: null, plots: [],
    };
  }

  async function startRun() {
    if (locked()) return;
    clearError();
    hideNotice();
    const req = buildRequest();
    const gen = ++generation;
    closeRun();
    snapshot = takeSnapshot();
    pending = new Map();
    pendingLesson = null;
    setState('starting');
    let answer;
    try {
      answer = await api('POST', '/api/runs', req);
    } catch (e) {
      if (gen !== generation) return;
      showError(e.message);
      snapshot = null;
      setState('error');
      return;
    }
    if (gen !== generation) return;
    run = newRun(answer, gen);
    test.runId = run.id;
    test.header = answer.header || null;
    test.units = run.units;
    test.received = {};
    test.points = {};
    test.shownDays = 0; test.drawn = {}; test.mapsDrawn = 0;
    test.done = null;
    for (const r of run.regimes) { test.received[r] = []; test.points[r] = []; }
    $('outcomes-section').hidden = true;
    buildCharts();
    renderMaps();
    setState(run.place > 0 ? 'queued' : 'running');
    openStream(run);
  }

  function openStream(r) {
    const es = new EventSource(`/api/runs/${encodeURIComponent(r.id)}/events`);
    r.es = es;
    const live = () => run === r && r.gen === generation;
    const parse = (e) => {
      try { return JSON.parse(e.data); } catch (err) { return null; }
    };
    es.addEventListener('queued', (e) => {
      if (!live() || r.lastTick >= 0) return;
      const d = parse(e);
      if (!d) return;
      r.place = Number(d.place) || 0;
      if (uiState !== 'done') setState(r.place > 0 ? 'queued' : 'running');
      renderStatus();
    });
    es.addEventListener('warmup', (e) => {
      if (!live() || r.lastTick >= 0) return;
      const d = parse(e);
      if (!d) return;
      r.place = 0;
      r.warm = d;
      if (uiState === 'queued') setState('running');
      renderStatus();
    });
    es.addEventListener('day', (e) => {
      if (!live()) return;
      const d = parse(e);
      if (!d || typeof d.tick !== 'number') return;
      if (d.tick <= r.lastTick) return; // a reconnection replays from the start
      r.lastTick = d.tick;
      r.computed += 1;
      r.place = 0;
      for (const row of d.rows || []) {
        const regime = String(row).split(',')[1];
        if (!test.received[regime]) test.received[regime] = [];
        test.received[regime].push(row);
      }
      const points = d.points || {};
      for (const reg of Object.keys(points)) {
        if (!test.points[reg]) test.points[reg] = [];
        test.points[reg].push(Object.assign({ tick: d.tick }, points[reg]));
      }
      r.buffer.push({ tick: d.tick, points });
      if (uiState === 'queued') setState('running');
    });
    es.addEventListener('map', (e) => {
      if (!live()) return;
      const d = parse(e);
      if (!d || typeof d.tick !== 'number') return;
      const last = r.mapQueue.length ? r.mapQueue[r.mapQueue.length - 1].tick : (r.map ? r.map.tick : -1);
      if (d.tick <= last) return;
      r.mapQueue.push(d);
    });
    es.addEventListener('done', (e) => {
      if (!live() || r.doneData) return;
      es.close();
      const d = parse(e) || {};
      r.doneData = d;
      test.done = d;
      snapshot = null;
      setState('done');
      const dl = $('download');
      dl.href = `/api/runs/${encodeURIComponent(r.id)}/download`;
      dl.classList.remove('disabled');
      dl.removeAttribute('aria-disabled');
      $('post-board').disabled = false;
      renderOutcomes();
    });
    es.addEventListener('error', (e) => {
      if (!live()) return;
      if (typeof e.data === 'string') {
        // the server's own `error` event: the run failed
        es.close();
        const d = parse(e);
        showError(d && typeof d.error === 'string' ? d.error : e.data);
        failRun();
        return;
      }
      if (es.readyState === EventSource.CLOSED && !r.doneData) { probeStream(r); return; }
      // Otherwise the browser reconnects by itself (the replay is deduplicated by tick);
      // if it has not within 8 s, say so and let Reset or Run start again.
      if (!r.lostTimer && !r.doneData) {
        r.lostTimer = window.setTimeout(() => {
          r.lostTimer = null;
          if (run !== r || r.doneData || es.readyState === EventSource.OPEN) return;
          es.close();
          showError(w('streamLost'));
          failRun();
        }, 8000);
      }
    });
    es.addEventListener('open', () => {
      if (r.lostTimer) { window.clearTimeout(r.lostTimer); r.lostTimer = null; }
    });
  }

  // The stream was refused: ask the same address with fetch to read the server's words.
  async function probeStream(r) {
    const ctl = new AbortController();
    try {
      const res = await fetch(`/api/runs/${encodeURIComponent(r.id)}/events`, { signal: ctl.signal });
      if (run !== r) { ctl.abort(); return; }
      if (!res.ok) {
        const text = await res.text();
        let msg = text.trim() || `${res.status} ${res.statusText}`;
        try { const d = JSON.parse(text); if (d && typeof d.error === 'string') msg = d.error; } catch (err) { /* not JSON */ }
        showError(msg);
        failRun();
        return;
      }
      ctl.abort();
      openStream(r);
    } catch (err) {
      if (run !== r) return;
      showError(w('streamLost'));
      failRun();
    }
  }

  function failRun() {
    snapshot = null;
    setState('error');
  }

  function closeRun() {
    if (run && run.es) run.es.close();
    if (run) for (const p of run.plots) p.u.destroy();
    run = null;
    $('charts').textContent = '';
    $('maps').textContent = '';
    $('outcomes').textContent = '';
    $('outcomes-section').hidden = true;
    const dl = $('download');
    dl.removeAttribute('href');
    dl.classList.add('disabled');
    dl.setAttribute('aria-disabled', 'true');
    $('post-board').disabled = true;
    $('post-result').textContent = '';
    $('map-note').textContent = '';
  }

  function reset() {
    generation += 1;
    closeRun();
    snapshot = null;
    setState('idle');
    test.runId = null;
    test.received = {};
    test.points = {};
    test.header = null;
    test.units = null;
    test.shownDays = 0; test.drawn = {}; test.mapsDrawn = 0;
    test.done = null;
    clearError();
    hideNotice();
    let applied = false;
    if (pendingLesson) {
      const ls = pendingLesson;
      pendingLesson = null;
      pending = new Map();
      applyLesson(ls);
      return;
    }
    // In the panel's order, so that a new scenario's days come before a new days value.
    for (const [id, c] of controls) {
      if (!pending.has(id)) continue;
      c.set(pending.get(id));
      c.after(true);
      applied = true;
    }
    pending = new Map();
    if (applied) showNotice(w('appliedPending'));
  }

  function setState(s) {
    uiState = s;
    test.state = s === 'starting' ? 'queued' : s;
    document.body.dataset.state = s;
    $('run').disabled = locked();
    $('pause').disabled = !run || run.paused || run.finished || s === 'error' || s === 'idle';
    $('resume').disabled = !run || !run.paused || s === 'error';
    renderStatus();
  }

  function renderStatus() {
    const st = $('status');
    let text;
    if (!catalog) text = statusExtra || w('loading');
    else if (uiState === 'idle') text = w('ready');
    else if (uiState === 'starting') text = w('starting');
    else if (uiState === 'error') text = w('errorStatus');
    else if (!run) text = w('ready');
    else if (uiState === 'queued') text = run.place > 1 ? w('queued', run.place) : w('queuedNext');
    else if (run.finished) text = `${w('done', run.days)}${run.cached ? ' ' + w('cached') : ''}`;
    else if (run.lastTick < 0 && run.warm) {
      const of = Number(run.warm.of) || 0;
      text = of > 0 ? w('warmup', Math.round(100 * Number(run.warm.done) / of)) : w('warmupStart');
    } else if (run.lastTick < 0) text = w('warmupStart');
    else {
      text = w('day', run.shown, run.days);
      if (run.computed > run.shown) text += ` \u00b7 ${w('computed', run.computed)}`;
      if (run.paused) text += ` \u00b7 ${w('paused')}`;
    }
    st.textContent = text;
    st.dataset.state = uiState;
  }

  // ---------------------------------------------------------------- pacing

  let lastFrame = null;
  function frame(now) {
    const dt = lastFrame === null ? 0 : Math.min(0.5, (now - lastFrame) / 1000);
    lastFrame = now;
    const r = run;
    if (r && !r.paused && r.buffer.length) {
      let n;
      const speed = $('speed').value;
      if (speed === 'max') n = r.buffer.length;
      else {
        r.credit += dt * Number(speed);
        n = Math.floor(r.credit);
        r.credit -= n;
      }
      if (n > 0) reveal(r, Math.min(n, r.buffer.length));
    } else if (r) {
      r.credit = Math.min(r.credit, 1);
    }
    if (r && r.doneData && !r.finished && r.buffer.length === 0) finish(r);
    window.requestAnimationFrame(frame);
  }

  function reveal(r, n) {
    const days = r.buffer.splice(0, n);
    for (const d of days) {
      r.x.push(d.tick);
      for (const c of catalog.charts || []) {
        for (const reg of r.regimes) {
          const p = d.points[reg];
          const v = p ? p[c.id] : undefined;
          r.series[c.id][reg].push(typeof v === 'number' && Number.isFinite(v) ? v : null);
        }
      }
      r.shown += 1;
    }
    test.shownDays = r.shown;
    const lastTick = r.x[r.x.length - 1];
    let map = null;
    while (r.mapQueue.length && r.mapQueue[0].tick <= lastTick) map = r.mapQueue.shift();
    if (map) { r.map = map; renderMaps(); }
    drawCharts(r);
    renderStatus();
  }

  function finish(r) {
    r.finished = true;
    if (r.mapQueue.length) { r.map = r.mapQueue[r.mapQueue.length - 1]; r.mapQueue = []; renderMaps(); }
    renderSentences();
    renderOutcomes();
    setState(uiState);
  }

  // ---------------------------------------------------------------- charts

  function niceMax(x) {
    if (!Number.isFinite(x) || x <= 0) return 1;
    const p = Math.pow(10, Math.floor(Math.log10(x)));
    for (const m of [1, 2, 5, 10]) if (m * p >= x * (1 - 1e-12)) return m * p;
    return 10 * p;
  }

  function shockLabel(kind) {
    const k = shockByKind(kind);
    return k ? pick(k) : (kind || '');
  }

  function drawShock(u, r) {
    const sh = r.shock;
    if (!sh || typeof sh.day !== 'number') return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const x0 = Math.max(left, u.valToPos(sh.day, 'x', true));
    ctx.save();
    if (typeof sh.end === 'number' && sh.end > sh.day) {
      const x1 = Math.min(left + width, u.valToPos(sh.end, 'x', true));
      if (x1 > x0) {
        ctx.fillStyle = 'rgba(120,120,120,0.22)';
        ctx.fillRect(x0, top, x1 - x0, height);
      }
    } else {
      ctx.strokeStyle = 'rgb(120,120,120)';
      ctx.lineWidth = 3 * (window.devicePixelRatio || 1);
      ctx.beginPath();
      ctx.moveTo(x0, top);
      ctx.lineTo(x0, top + height);
      ctx.stroke();
    }
    ctx.restore();
  }

  function chartWidth(box) {
    return Math.max(320, Math.floor(box.clientWidth - 8));
  }

  function buildCharts() {
    const r = run;
    const box = $('charts');
    if (r) for (const p of r.plots) p.u.destroy();
    box.textContent = '';
    if (!r || typeof uPlot === 'undefined') return;
    r.plots = [];
    if (r.shock && typeof r.shock.day === 'number') {
      const note = el('p', 'shock-note');
      note.textContent = typeof r.shock.end === 'number' && r.shock.end > r.shock.day
        ? w('shockBand', shockLabel(r.shock.kind), r.shock.day, r.shock.end - 1)
        : w('shockMark', shockLabel(r.shock.kind), r.shock.day);
      box.appendChild(note);
    }
    for (const c of catalog.charts || []) {
      const card = el('section', 'chart');
      card.id = `chart-${c.id}`;
      card.appendChild(el('h3', 'chart-title', pick(c)));
      const plot = el('div', 'plot');
      card.appendChild(plot);
      const sentence = el('p', 'sentence');
      sentence.id = `sentence-${c.id}`;
      card.appendChild(sentence);
      box.appendChild(card);
      const range = Array.isArray(c.range) && c.range.length === 2 && c.range.every(Number.isFinite) ? c.range.slice() : null;
      const opts = {
        width: chartWidth(plot),
        height: 230,
        scales: {
          x: { time: false, range: () => [0, Math.max(1, r.days - 1)] },
          y: range ? { range: () => range } : { range: (u, min, max) => [Math.min(0, Number.isFinite(min) ? min : 0), niceMax(max)] },
        },
        axes: [
          { label: w('dayAxis'), font: CHART_FONT, labelFont: CHART_LABEL_FONT, stroke: '#222', grid: { stroke: '#e2e2e2' }, ticks: { stroke: '#bbb' }, size: 44, labelSize: 26 },
          { font: CHART_FONT, stroke: '#222', grid: { stroke: '#e2e2e2' }, ticks: { stroke: '#bbb' }, size: 64, values: (u, vals) => vals.map((v) => fmtAxis(v)) },
        ],
        series: [{ label: w('dayAxis'), value: (u, v) => (v === null || v === undefined ? '\u2013' : String(v)) }].concat(
          r.regimes.map((reg, i) => ({
            label: regimeLabel(reg), stroke: regimeColour(reg, i), width: 3,
            points: { show: false }, value: (u, v) => fmtValue(v),
          }))),
        cursor: { drag: { x: false, y: false } },
        legend: { show: true, live: false },
        hooks: { drawClear: [(u) => drawShock(u, r)] },
      };
      const u = new uPlot(opts, chartData(r, c.id), plot);
      r.plots.push({ id: c.id, u, plot });
    }
    renderSentences();
  }

  function fmtAxis(v) {
    if (v === null || v === undefined) return '';
    const a = Math.abs(v);
    if (a >= 1000) return thousands(v);
    return String(Math.round(v * 1000) / 1000);
  }

  function chartData(r, id) {
    return [r.x].concat(r.regimes.map((reg) => r.series[id][reg]));
  }

  function drawCharts(r) {
    for (const p of r.plots) {
      const data = chartData(r, p.id);
      p.u.setData(data);
      // What each chart holds now (days drawn), for the automated test.
      test.drawn[p.id] = p.u.data && p.u.data[0] ? p.u.data[0].length : 0;
    }
  }

  function renderSentences() {
    const r = run;
    for (const c of catalog.charts || []) {
      const p = $(`sentence-${c.id}`);
      if (!p) continue;
      let text = '';
      if (r && r.finished && r.doneData) {
        const set = lang === 'zh' ? (r.doneData.sentences_zh || r.doneData.sentences) : r.doneData.sentences;
        text = set && set[c.id] ? String(set[c.id]) : '';
      }
      p.textContent = text;
      p.hidden = text === '';
    }
  }

  function renderOutcomes() {
    const r = run;
    const table = $('outcomes');
    table.textContent = '';
    if (!r || !r.finished || !r.doneData || !Array.isArray(r.doneData.summary) || !r.doneData.summary.length) {
      $('outcomes-section').hidden = true;
      return;
    }
    const rows = r.doneData.summary;
    let keys = OUTCOME_KEYS.filter((k) => rows.some((s) => s && s[k] !== undefined));
    if (!keys.length) keys = Object.keys(rows[0]).filter((k) => k !== 'regime').slice(0, 8);
    const head = el('tr');
    head.appendChild(el('th', null, w('regime')));
    for (const k of keys) head.appendChild(el('th', null, columnLabel(k)));
    const thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    const tbody = el('tbody');
    rows.forEach((s, i) => {
      const tr = el('tr');
      const th = el('th', 'regime-cell');
      const sw = el('span', 'swatch');
      sw.style.backgroundColor = regimeColour(s.regime, r.regimes.indexOf(s.regime) >= 0 ? r.regimes.indexOf(s.regime) : i);
      th.appendChild(sw);
      th.appendChild(el('span', null, regimeLabel(String(s.regime))));
      tr.appendChild(th);
      for (const k of keys) tr.appendChild(el('td', 'num', fmtOutcome(k, s[k])));
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    $('outcomes-section').hidden = false;
  }

  function resizeCharts() {
    if (!run) return;
    for (const p of run.plots) p.u.setSize({ width: chartWidth(p.plot), height: 230 });
  }

  // ---------------------------------------------------------------- map

  function renderMaps() {
    const box = $('maps');
    box.textContent = '';
    const r = run;
    if (!r) return;
    const m = r.map;
    if (m) test.mapsDrawn += 1;
    $('map-note').textContent = m ? w('mapNote', m.tick) : w('mapWaiting');
    const townships = m && Array.isArray(m.townships) ? m.townships : [];
    const maxRes = townships.reduce((a, t) => Math.max(a, Number(t.residents) || 0), 1);
    const counties = new Map();
    townships.forEach((t, i) => {
      const k = Number(t.county);
      if (!counties.has(k)) counties.set(k, []);
      counties.get(k).push({ t, i });
    });
    const order = Array.from(counties.keys()).sort((a, b) => a - b);
    r.regimes.forEach((reg, ri) => {
      const panel = el('div', 'map-regime');
      const h = el('h3', 'map-title');
      const sw = el('span', 'swatch');
      sw.style.backgroundColor = regimeColour(reg, ri);
      h.appendChild(sw);
      h.appendChild(el('span', null, regimeLabel(reg)));
      panel.appendChild(h);
      const city = el('div', 'map-city');
      for (const k of order) {
        const name = r.units[k] !== undefined && r.units[k] !== 'city' ? String(r.units[k]) : w('county', k + 1);
        const cb = el('div', 'county');
        cb.appendChild(el('div', 'county-name', placeLabel(name)));
        const cells = el('div', 'townships');
        let n = 0;
        for (const { t } of counties.get(k)) {
          n += 1;
          const trust = t.trust ? Number(t.trust[reg]) : NaN;
          const cell = el('span', t.urban ? 'cell urban' : 'cell');
          const side = Math.round(14 + 40 * Math.sqrt((Number(t.residents) || 0) / maxRes));
          cell.style.width = `${side}px`;
          cell.style.height = `${side}px`;
          cell.style.backgroundColor = Number.isFinite(trust) ? viridis(trust) : '#ccc';
          cell.title = `${placeLabel(name)} \u00b7 ${w('township', n)} \u00b7 ${t.urban ? w('urban') : w('rural')} \u00b7 ${w('residentsN', thousands(Number(t.residents) || 0))} \u00b7 ${w('trustV', Number.isFinite(trust) ? trust.toFixed(3) : '\u2013')}`;
          cells.appendChild(cell);
        }
        cb.appendChild(cells);
        city.appendChild(cb);
      }
      panel.appendChild(city);
      box.appendChild(panel);
    });
  }

  // ---------------------------------------------------------------- board

  function normaliseColumns(cols) {
    return (cols || []).map((c) => {
      if (typeof c === 'string') return { key: c, en: null, zh: null };
      const key = c.key || c.id || c.name || c.en;
      return { key, en: c.en || null, zh: c.zh || null };
    });
  }
  function cellOf(row, col, index) {
    if (Array.isArray(row)) return row[index];
    return row ? row[col.key] : undefined;
  }
  function numeric(v) {
    if (typeof v === 'number') return Number.isFinite(v) ? v : null;
    if (typeof v === 'string' && v.trim() !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?%?$/.test(v.trim())) {
      return Number(v.trim().replace(/%$/, ''));
    }
    return null;
  }

  async function refreshBoard() {
    try {
      const data = await api('GET', '/api/board');
      board.columns = normaliseColumns(data && data.columns);
      board.rows = (data && Array.isArray(data.rows)) ? data.rows : [];
      clearError('board');
      renderBoard();
    } catch (e) {
      showError(e.message, 'board');
    }
  }

  function renderBoard() {
    const table = $('board');
    table.textContent = '';
    const cols = board.columns;
    $('board-empty').hidden = board.rows.length > 0;
    if (!cols.length) return;
    const thead = el('thead');
    const tr = el('tr');
    cols.forEach((c, i) => {
      const th = el('th', 'sortable');
      const label = lang === 'zh' ? (c.zh || columnLabel(c.key)) : (c.en || columnLabel(c.key));
      th.appendChild(el('span', null, label));
      if (board.sort && board.sort.index === i) th.appendChild(el('span', 'sort-mark', board.sort.dir > 0 ? ' \u25b2' : ' \u25bc'));
      th.tabIndex = 0;
      th.addEventListener('click', () => sortBoard(i));
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sortBoard(i); } });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    const rows = board.rows.slice();
    if (board.sort) {
      const { index, dir } = board.sort;
      const col = cols[index];
      rows.sort((a, b) => {
        const va = cellOf(a, col, index);
        const vb = cellOf(b, col, index);
        const emptyA = va === null || va === undefined || va === '';
        const emptyB = vb === null || vb === undefined || vb === '';
        if (emptyA || emptyB) return emptyA === emptyB ? 0 : (emptyA ? 1 : -1);
        const na = numeric(va);
        const nb = numeric(vb);
        if (na !== null && nb !== null) return dir * (na - nb);
        if (na !== null) return -1;
        if (nb !== null) return 1;
        return dir * String(va).localeCompare(String(vb), lang === 'zh' ? 'zh' : 'en');
      });
    }
    const tbody = el('tbody');
    for (const row of rows) {
      const r = el('tr');
      cols.forEach((c, i) => {
        const v = cellOf(row, c, i);
        const td = el('td', numeric(v) !== null ? 'num' : null);
        if (c.key === 'regime' && typeof v === 'string') {
          const sw = el('span', 'swatch');
          sw.style.backgroundColor = regimeColour(v, presetNames().indexOf(v) >= 0 ? presetNames().indexOf(v) : 0);
          td.appendChild(sw);
          td.appendChild(el('span', null, regimeLabel(v)));
        } else if (v !== null && typeof v === 'object') {
          td.textContent = Object.entries(v).map(([k, x]) => `${k} ${typeof x === 'number' ? fmtValue(x) : x}`).join(', ');
        } else {
          td.textContent = fmtCell(c.key, v);
        }
        r.appendChild(td);
      });
      tbody.appendChild(r);
    }
    table.appendChild(tbody);
  }

  // A board cell: ids and counts as written, residents with separators, mechanisms with
  // two decimals, shares and means with three.
  function fmtCell(key, v) {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'number') return String(v);
    if (!Number.isFinite(v)) return '\u2013';
    if (key === 'seed' || key === 'posted' || key === 'days') return String(v);
    if (catalog && (catalog.mechanisms || []).some((m) => m.name === key)) return v.toFixed(2);
    if (Number.isInteger(v)) return Math.abs(v) >= 1000 ? thousands(v) : String(v);
    return fmtValue(v);
  }

  function sortBoard(i) {
    if (board.sort && board.sort.index === i) board.sort.dir = -board.sort.dir;
    else {
      // numbers start from the largest, text from A
      const col = board.columns[i];
      const anyNumber = board.rows.some((row) => numeric(cellOf(row, col, i)) !== null);
      board.sort = { index: i, dir: anyNumber ? -1 : 1 };
    }
    renderBoard();
  }

  async function clearBoard() {
    const b = $('clear-board');
    if (!board.clearArmed) {
      board.clearArmed = setTimeout(() => { board.clearArmed = null; b.textContent = lang === 'zh' ? b.dataset.zh : b.dataset.en; }, 4000);
      b.textContent = w('clearAgain');
      return;
    }
    clearTimeout(board.clearArmed);
    board.clearArmed = null;
    b.textContent = lang === 'zh' ? b.dataset.zh : b.dataset.en;
    try {
      await api('DELETE', '/api/board');
      clearError('board');
      clearError('clear');
      showNotice(w('cleared'));
      await refreshBoard();
    } catch (e) {
      showError(e.message, 'clear'); // stays until the next clear or view change
    }
  }

  async function postToBoard() {
    const name = $('player-name').value.trim();
    if (!name) { showNotice(w('needName')); $('player-name').focus(); return; }
    if (!run || !run.doneData) return;
    try { window.localStorage.setItem('linkage-name', name); } catch (e) { /* private mode */ }
    try {
      await api('POST', '/api/board', { name, run: run.id });
      $('post-result').textContent = w('posted', name);
      clearError();
      if (view === 'board') refreshBoard();
    } catch (e) {
      showError(e.message);
    }
  }

  // ---------------------------------------------------------------- views

  function showView(v, push) {
    view = v === 'board' ? 'board' : 'sim';
    $('sim-view').hidden = view !== 'sim';
    $('board-view').hidden = view !== 'board';
    $('tab-sim').classList.toggle('active', view === 'sim');
    $('tab-board').classList.toggle('active', view === 'board');
    document.body.classList.toggle('board-mode', view === 'board');
    if (push) {
      const path = view === 'board' ? '/board' : '/';
      window.history.pushState({ view }, '', path + window.location.search);
    }
    if (board.timer) { clearInterval(board.timer); board.timer = null; }
    if (view === 'board') {
      refreshBoard();
      board.timer = setInterval(refreshBoard, 3000);
    } else {
      clearError('board');
      clearError('clear');
      resizeCharts();
    }
  }

  // ---------------------------------------------------------------- start

  async function init() {
    const q = params().get('lang');
    setLang(q === 'zh' || q === 'en' ? q : 'en');
    renderStatus();
    const onBoard = window.location.pathname.replace(/\/+$/, '') === '/board';

    $('lang').addEventListener('click', () => {
      setLang(lang === 'zh' ? 'en' : 'zh');
      const p = params();
      p.set('lang', lang);
      window.history.replaceState(window.history.state, '', `${window.location.pathname}?${p.toString()}`);
    });
    $('tab-sim').addEventListener('click', () => showView('sim', true));
    $('tab-board').addEventListener('click', () => showView('board', true));
    window.addEventListener('popstate', () => {
      showView(window.location.pathname.replace(/\/+$/, '') === '/board' ? 'board' : 'sim', false);
    });
    $('run').addEventListener('click', startRun);
    $('pause').addEventListener('click', () => { if (run) { run.paused = true; setState(uiState); } });
    $('resume').addEventListener('click', () => { if (run) { run.paused = false; setState(uiState); } });
    $('reset').addEventListener('click', reset);
    $('post-board').addEventListener('click', postToBoard);
    $('player-name').addEventListener('keydown', (e) => { if (e.key === 'Enter' && !$('post-board').disabled) postToBoard(); });
    $('clear-board').addEventListener('click', clearBoard);
    $('download').addEventListener('click', (e) => { if (!$('download').getAttribute('href')) e.preventDefault(); });
    try { const n = window.localStorage.getItem('linkage-name'); if (n) $('player-name').value = n; } catch (e) { /* private mode */ }
    let resizeTimer = null;
    window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(resizeCharts, 150); });

    showView(onBoard ? 'board' : 'sim', false);

    try {
      catalog = await api('GET', '/api/catalog');
    } catch (e) {
      statusExtra = w('catalogFailed');
      showError(e.message);
      renderStatus();
      return;
    }
    buildControls();
    setLang(q === 'zh' || q === 'en' ? q : (catalog.lang === 'zh' ? 'zh' : 'en'));
    setState('idle');
    window.requestAnimationFrame(frame);

    // Canvas text needs the font loaded before it draws with it.
    if (document.fonts && document.fonts.load) {
      document.fonts.load('15px LinkageSans', 'day 天').then(() => {
        if (run) for (const p of run.plots) p.u.redraw(false, true);
      }).catch(() => {});
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
