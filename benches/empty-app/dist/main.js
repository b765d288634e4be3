// Reports the first paint exactly as the real app's UI does: after the next frame, then a task.
window.addEventListener('DOMContentLoaded', () => {
  requestAnimationFrame(() => setTimeout(() => {
    window.__TAURI__.core.invoke('first_render', { view: 'static' }).catch(() => {});
  }, 0));
});
