// The part of jstat (no published types) the statistics use.
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: {
        /** Inverse CDF of Student's t with `dof` degrees of freedom. */
        inv(p: number, dof: number): number;
      };
    };
  };
  export default jstat;
}
