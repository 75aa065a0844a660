import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../libs/typeorm/prepared-query';

export interface CompanySummary {
  id: number;
  name: string;
}

/** The companies this installation serves, for the public landing page. */
@Injectable()
export class CompanyDirectory {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<CompanySummary[]> {
    return preparedQuery<CompanySummary>(this.dataSource.manager, 'company-directory', 'SELECT id, name FROM companies ORDER BY name', []);
  }
}
