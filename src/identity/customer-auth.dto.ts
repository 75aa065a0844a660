import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEmail, IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const asText = ({ value }: { value: unknown }) =>
  typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value;

class CompanyField {
  @ApiProperty({ example: 1, description: 'The company (utility) id, from the list on the registration page' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  companyId!: number;
}

export class RegisterDto extends CompanyField {
  @ApiProperty({ example: 'SU0044', maxLength: 20 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  @Matches(/^[A-Za-z0-9]+$/, { message: 'customerCode must be letters and digits' })
  customerCode!: string;

  @ApiProperty({ example: '2014S000572', maxLength: 40 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  invoiceNumber!: string;

  @ApiProperty({ example: '38 837', description: 'The invoice gross amount in whole forints ("38837" or "38 837")', maxLength: 20 })
  @Transform(asText)
  @IsString()
  @IsNotEmpty()
  @MaxLength(20)
  amount!: string;

  @ApiProperty({ example: 'ugyfel@example.hu', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email!: string;
}

export class LoginDto extends CompanyField {
  @ApiProperty({ example: 'SU0044', description: 'Customer code or login e-mail', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  identifier!: string;

  @ApiProperty({ maxLength: 1024 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class SetPasswordDto {
  @ApiProperty({ description: 'The token from the e-mailed link' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  token!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class ForgotPasswordDto extends CompanyField {
  @ApiProperty({ example: 'SU0044', description: 'Customer code or login e-mail', maxLength: 254 })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(254)
  identifier!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 1024 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  currentPassword!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  newPassword!: string;
}

export class DeleteAccountDto {
  @ApiProperty({ maxLength: 1024 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class LoginResponseDto {
  @ApiProperty({ description: 'Bearer token for the Authorization header' })
  token!: string;

  @ApiProperty({
    format: 'date-time',
    description: 'When the token expires unless used (it slides with each use, up to the absolute limit)',
  })
  expiresAt!: string;
}

export class AcceptedResponseDto {
  @ApiProperty({ example: 'If the data matched, we sent an e-mail.' })
  message!: string;
}

class CompanySummaryDto {
  @ApiProperty({ example: 1 }) id!: number;
  @ApiProperty({ example: 'Minta Távhő Zrt.' }) name!: string;
}

export class MeResponseDto {
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'ugyfel@example.hu' }) email!: string;
  @ApiProperty({ type: CompanySummaryDto }) company!: CompanySummaryDto;
}
