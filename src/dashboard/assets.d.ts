// The stylesheet esbuild bundles into app.css.
declare module '*.css';
